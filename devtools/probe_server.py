"""``streamlit`` with a cache-integrity probe: a fingerprint of everything the server has cached.

Run exactly like the streamlit CLI (``python devtools/probe_server.py run app.py --server.port …``).
On SIGUSR1 the server writes, to the JSON file named by $RNNLAB_PROBE_FILE, one fingerprint per
value in the app's shared caches (``ui.cache.CACHES``): objects shared by all sessions, so the ones a
page could mutate in place.
Equal fingerprints before and after other students' sessions ran mean no one touched the caches.

For benchmarks, RNNLAB_NO_GC_FREEZE=1 turns ``gc.freeze`` into a no-op in the server, to measure
app.py's one-time freeze against not freezing, without editing app.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import sys
import tempfile
from typing import Any


def fingerprint(obj: Any, max_depth: int = 8) -> str:
    """A hash of an object's contents: array bytes, tensor bytes, module state, fields, items.

    Walks containers, dataclasses and ``__dict__``s (each object once), so a change to any array
    or attribute reachable from ``obj`` changes the result.
    """
    h = hashlib.sha256()
    seen: set[int] = set()

    def walk(o: Any, depth: int) -> None:
        h.update(type(o).__qualname__.encode())
        if o is None or isinstance(o, (bool, int, float, complex, str, bytes, bytearray)):
            h.update(repr(o).encode() if not isinstance(o, (bytes, bytearray)) else bytes(o))
            return
        if id(o) in seen or depth > max_depth:
            return
        seen.add(id(o))
        mod = type(o).__module__
        if mod.startswith("numpy"):
            import numpy as np

            a = np.asarray(o)
            h.update(str((a.shape, a.dtype)).encode())
            h.update(a.tobytes() if a.dtype != object else repr(a.tolist()).encode())
            return
        if mod.startswith("torch"):
            import torch

            if isinstance(o, torch.Tensor):
                h.update(o.detach().cpu().contiguous().numpy().tobytes())
                return
            if isinstance(o, torch.nn.Module):
                walk(dict(o.state_dict()), depth + 1)
                walk({k: v for k, v in vars(o).items() if not k.startswith("_")}, depth + 1)
                return
        if mod.startswith("plotly") and hasattr(o, "to_plotly_json"):
            # A chart's content is its JSON (what every student is sent); Plotly's internal
            # bookkeeping (parents, lazily built validators) is not, and it isn't stable to walk.
            walk(o.to_plotly_json(), depth + 1)
            return
        if isinstance(o, dict):
            for k in sorted(o, key=repr):
                walk(k, depth + 1)
                walk(o[k], depth + 1)
            return
        if isinstance(o, (list, tuple)):
            h.update(str(len(o)).encode())
            for v in o:
                walk(v, depth + 1)
            return
        if isinstance(o, (set, frozenset)):
            for v in sorted(o, key=repr):
                walk(v, depth + 1)
            return
        if dataclasses.is_dataclass(o):
            for f in dataclasses.fields(o):
                walk(f.name, depth + 1)
                walk(getattr(o, f.name), depth + 1)
            return
        state = getattr(o, "__dict__", None)
        if state is not None:
            walk(state, depth + 1)
        else:
            h.update(repr(o).encode())

    walk(obj, 0)
    return h.hexdigest()


def digest_caches() -> dict[str, str]:
    """Fingerprint of every value in the app's shared caches (ui.cache.CACHES: trainings, scenes, vectors)."""
    from ui.cache import CACHES

    out: dict[str, str] = {}
    for name, cache in CACHES.items():
        for key, value in cache.items():
            out[f"{name}:{hashlib.sha256(repr(key).encode()).hexdigest()[:16]}"] = fingerprint(value)
    return out


def describe_server() -> dict:
    """What the hall-safety tests read: the door's counts, each cache's keys (repr), pinned keys, bytes."""
    from ui.cache import CACHES
    from ui.train import DOOR

    return {"door": DOOR.stats(),
            "caches": {name: {"stats": c.stats(), "keys": [repr(k) for k, _ in c.items()],
                              "pinned": [repr(k) for k in c.pinned()]} for name, c in CACHES.items()}}


def request_digest(pid: int, path: str, timeout: float = 60.0) -> dict[str, str]:
    """Ask a probe server (by pid) for its cache fingerprints and wait for the answer."""
    import time

    before = os.stat(path).st_mtime_ns if os.path.exists(path) else None
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.stat(path).st_mtime_ns != before:
            with open(path) as f:
                return json.load(f)
        time.sleep(0.1)
    raise TimeoutError("the probe server did not answer")


def _on_probe(signum, frame) -> None:
    path = os.environ.get("RNNLAB_PROBE_FILE")
    if not path:
        return
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
    with os.fdopen(fd, "w") as f:
        json.dump({"digest": digest_caches(), **describe_server()}
                  if os.environ.get("RNNLAB_PROBE_DESCRIBE") else digest_caches(), f)
    os.replace(tmp, path)  # the reader never sees half a file


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, _on_probe)
    if os.environ.get("RNNLAB_NO_GC_FREEZE"):
        import gc

        gc.freeze = lambda: None
    import runpy

    sys.argv[0] = "streamlit"
    runpy.run_module("streamlit", run_name="__main__")  # exactly `python -m streamlit …`
