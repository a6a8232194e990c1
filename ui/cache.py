"""Shared, bytes-bounded caches: what one student computes serves the class.

``Cache`` is an LRU that counts the bytes of what it holds (``sizeof``) and evicts the least
recently used entries beyond its budget (``ui.budget.BUDGETS``), never a pinned one. Identical work
runs once: callers asking for a key that is being computed wait for it.

``@shared("scenes")`` memoises a function in such a cache, keyed by its arguments. As with
Streamlit's caches, arguments whose name starts with ``_`` are not part of the key (the arguments
before them must decide them). What it returns is shared by every session: never change it.
Decorate at import time, in ``ui/<lesson>.py``, not in a page (a page is re-executed every rerun).
"""

from __future__ import annotations

import functools
import inspect
import pickle
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from ui.budget import BUDGETS

_MISSING = object()


def sizeof(obj: Any) -> int:
    """Bytes an object holds, counted as its pickle (arrays, tensors, figures, dataclasses alike)."""
    nbytes = getattr(obj, "nbytes", None)  # numpy arrays: no copy needed
    if isinstance(nbytes, int):
        return nbytes
    try:
        return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # an object that can't be pickled (a lock, a C handle): its shallow size
        return sys.getsizeof(obj)


class Cache:
    """A thread-safe LRU bounded in bytes, with pinned entries and compute-once per key."""

    def __init__(self, name: str, max_bytes: int):
        self.name, self.max_bytes = name, max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._pinned: set[Hashable] = set()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self.bytes = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key][0]

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def put(self, key: Hashable, value: Any, pin: bool = False) -> None:
        size = sizeof(value)
        with self._lock:
            if key in self._items:
                self.bytes -= self._items.pop(key)[1]
            self._items[key] = (value, size)
            self.bytes += size
            if pin:
                self._pinned.add(key)
            self._evict()

    def pin(self, key: Hashable) -> None:
        with self._lock:
            self._pinned.add(key)

    def _evict(self) -> None:
        for key in list(self._items):
            if self.bytes <= self.max_bytes:
                break
            if key in self._pinned:
                continue
            self.bytes -= self._items.pop(key)[1]

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any], pin: bool = False) -> Any:
        """The cached value, or compute it once: concurrent callers of one key wait for the first."""
        value = self.get(key, _MISSING)
        if value is not _MISSING:
            return value
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            value = self.get(key, _MISSING)
            if value is _MISSING:
                value = compute()
                self.put(key, value, pin=pin)
        with self._lock:
            self._computing.pop(key, None)
        return value

    def items(self) -> list[tuple[Hashable, Any]]:
        """A snapshot of (key, value) pairs (for probes and tests; values stay shared: read only)."""
        with self._lock:
            return [(k, v) for k, (v, _size) in self._items.items()]

    def pinned(self) -> list[Hashable]:
        with self._lock:
            return [k for k in self._pinned if k in self._items]

    def stats(self) -> dict:
        with self._lock:
            return {"name": self.name, "entries": len(self._items), "bytes": self.bytes,
                    "max_bytes": self.max_bytes, "pinned": len(self._pinned)}

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._pinned.clear()
            self.bytes = 0


CACHES: dict[str, Cache] = {name: Cache(name, size) for name, size in BUDGETS.items()}


def shared(budget: str = "scenes") -> Callable[[Callable], Callable]:
    """``@shared("scenes")``: memoise a function for the whole class in the named bytes-bounded cache."""
    cache = CACHES[budget]

    def wrap(func: Callable) -> Callable:
        params = list(inspect.signature(func).parameters)

        @functools.wraps(func)
        def cached(*args, **kwargs):
            bound = dict(zip(params, args))
            bound.update(kwargs)
            key = (func.__module__, func.__qualname__,
                   tuple((k, bound[k]) for k in params if k in bound and not k.startswith("_")))
            return cache.get_or_compute(key, lambda: func(*args, **kwargs))

        cached.cache = cache
        return cached

    return wrap
