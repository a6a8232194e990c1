"""A minimal Streamlit WebSocket client: real server sessions without a browser.

It speaks the browser's protocol on ``/_stcore/stream``: binary ``BackMsg`` protobufs up (a
``rerun_script`` carrying the URL's query string, the page and the widget states), binary
``ForwardMsg`` protobufs down (``new_session``, ``delta``s, ``page_info_changed``,
``script_finished``). One ``Session`` is one student's browser tab; the server cannot tell the
difference, so load, isolation and proxy tests made with it exercise real server sessions.

    async with Session(base_url, page="Language_model", query="text=banana&hidden=16") as s:
        run = await s.open()                    # waits for script_finished
        run.metrics()["Loss at this step"]      # "0.0123"
        run = await s.set("hidden", 12)         # widget by key → WidgetStates → rerun
        run.exceptions(), run.alerts()          # what a student would see

Also: ``start_app`` / ``stop_app`` start ``streamlit run`` on a free loopback port and wait for
``/_stcore/health``; ``server_rss`` reads a process tree's resident memory.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
WIDGET_TYPES = {
    "slider", "text_input", "text_area", "number_input", "selectbox", "checkbox", "button",
    "radio", "multiselect", "file_uploader", "color_picker", "date_input", "time_input",
    "button_group", "chat_input", "download_button",
}


class ScriptError(RuntimeError):
    """The server ended a run abnormally (compile error, page not found, closed socket)."""


@dataclass
class Run:
    """What one script run put on the page: elements by delta path, in page order."""

    elements: dict[tuple, Any] = field(default_factory=dict)  # delta path → Element proto
    status: str = ""
    page_not_found: bool = False
    seconds: float = 0.0
    user_values: dict[str, Any] = field(default_factory=dict)  # what this tab's "user" set, by key
    expanders: dict[tuple, Any] = field(default_factory=dict)  # delta path → Block.Expandable proto
    fragment_of: dict[tuple, str] = field(default_factory=dict)  # delta path → st.fragment id, if inside one

    def ordered(self) -> list[Any]:
        return [self.elements[p] for p in sorted(self.elements)]

    def of_type(self, kind: str) -> list[Any]:
        return [getattr(e, kind) for e in self.ordered() if e.WhichOneof("type") == kind]

    def exceptions(self) -> list[str]:
        """Exception boxes, as 'Type: message' (showErrorDetails=none still sends the box)."""
        return [f"{e.type}: {e.message}" for e in self.of_type("exception")]

    def alerts(self) -> list[tuple[str, str]]:
        """(kind, text) of every st.error/warning/info/success box."""
        names = {1: "error", 2: "warning", 3: "info", 4: "success"}
        return [(names.get(a.format, str(a.format)), a.body) for a in self.of_type("alert")]

    def metrics(self) -> dict[str, str]:
        return {m.label: m.body for m in self.of_type("metric")}

    def markdown(self) -> list[str]:
        return [m.body for m in self.of_type("markdown")] + [h.body for h in self.of_type("heading")]

    def dataframes(self) -> list:
        """Every st.dataframe/st.table as a pandas DataFrame (inline Arrow data only)."""
        import pyarrow as pa

        frames = []
        for e in self.ordered():
            kind = e.WhichOneof("type")
            if kind in ("dataframe", "table") and getattr(e, kind).arrow_data.data:
                reader = pa.ipc.open_stream(io.BytesIO(getattr(e, kind).arrow_data.data))
                frames.append(reader.read_all().to_pandas())
        return frames

    def charts(self) -> list[str]:
        """Plotly figure specs (JSON strings)."""
        return [c.spec for c in self.of_type("plotly_chart")]

    def components(self) -> list[dict]:
        """What the page sent its browser-side replays (ui.replay, a st.components.v2 component)."""
        from ui.replay import unpack

        return [unpack(c.bytes) for c in self.of_type("bidi_component") if c.bytes]

    def widgets(self) -> dict[str, tuple[str, Any]]:
        """User key → (element type, widget proto) for every keyed widget on the page."""
        found = {}
        for e in self.ordered():
            kind = e.WhichOneof("type")
            if kind in WIDGET_TYPES:
                proto = getattr(e, kind)
                key = widget_key(proto.id)
                if key:
                    found[key] = (kind, proto)
        for path in sorted(self.expanders):  # stateful expanders (app.numbers) are widgets too
            proto = self.expanders[path]
            key = widget_key(proto.id) if proto.id else None
            if key:
                found[key] = ("expander", proto)
        return found

    def fragment(self, key: str) -> str:
        """The id of the st.fragment holding this widget ('' if none): its change reruns only that."""
        for path, e in self.elements.items():
            kind = e.WhichOneof("type")
            if kind in WIDGET_TYPES and widget_key(getattr(e, kind).id) == key:
                return self.fragment_of.get(path, "")
        for path, proto in self.expanders.items():
            if proto.id and widget_key(proto.id) == key:
                return self.fragment_of.get(path, "")
        return ""

    def value(self, key: str) -> Any:
        """The value a keyed widget shows (what the browser would display), e.g. 8 or "hello".

        Like the browser, a value the user set wins: the server does not echo it in the element.
        """
        if key in self.user_values:
            return self.user_values[key]
        kind, proto = self.widgets()[key]
        if kind == "slider":
            vals = list(proto.value) or list(proto.default)
            if proto.options:
                vals = [proto.options[int(v)] for v in vals]
            elif proto.data_type == 0:  # Slider.INT
                vals = [int(v) for v in vals]
            return vals[0] if len(vals) == 1 else vals
        if kind == "selectbox":
            if proto.set_value or proto.raw_value:
                return proto.raw_value
            return proto.options[proto.default] if proto.options else None
        if hasattr(proto, "set_value") and proto.set_value:
            return proto.value
        return proto.default if hasattr(proto, "default") else getattr(proto, "value", None)

    def text(self) -> str:
        """All readable text: markdown, headings, alerts, metrics, exceptions."""
        parts = self.markdown() + [b for _, b in self.alerts()] + [f"{k}: {v}" for k, v in self.metrics().items()]
        return "\n".join(parts + self.exceptions())


def widget_key(widget_id: str) -> str | None:
    """The user key inside an element id ("$$ID-<hash>-<key>"), or None for keyless widgets."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[2] and parts[2] != "None" else None


def widget_state(kind: str, proto: Any, value: Any) -> WidgetState:
    """Encode a value the way the browser's WidgetStateManager does for this widget type."""
    ws = WidgetState(id=proto.id)
    if kind == "slider":
        values = value if isinstance(value, (list, tuple)) else [value]
        if proto.options:  # select_slider: formatted option labels
            ws.string_array_value.data.extend(str(v) for v in values)
        else:
            ws.double_array_value.data.extend(float(v) for v in values)
    elif kind in ("text_input", "text_area", "selectbox", "radio", "color_picker"):
        ws.string_value = str(value)
    elif kind == "number_input":
        if proto.data_type == 0:  # NumberInput.INT
            ws.int_value = int(value)
        else:
            ws.double_value = float(value)
    elif kind in ("checkbox", "expander"):
        ws.bool_value = bool(value)
    elif kind == "button":
        ws.trigger_value = True
    elif kind == "multiselect":
        ws.string_array_value.data.extend(str(v) for v in value)
    elif kind == "button_group":  # st.segmented_control / st.pills: the chosen options' labels
        ws.string_array_value.data.extend(str(v) for v in (value if isinstance(value, (list, tuple)) else [value]))
    elif kind == "file_uploader":  # value: [(file_id, name, size, upload_url)], as after the browser's PUT
        for file_id, name, size, url in value:
            info = ws.file_uploader_state_value.uploaded_file_info.add()
            info.file_id, info.name, info.size = file_id, name, size
            info.file_urls.file_id, info.file_urls.upload_url, info.file_urls.delete_url = file_id, url, url
    else:
        raise NotImplementedError(f"setting a {kind} is not supported by stclient")
    return ws


class Session:
    """One browser tab: a websocket, the current page, the URL's query string, widget states."""

    def __init__(self, base_url: str, page: str = "", query: str = "", timeout: float = 120.0,
                 local_addr: str | None = None):
        """``local_addr`` (e.g. "127.0.3.1") makes the tab come from another loopback address: another "machine"."""
        self.local_addr = local_addr
        self.base_url = base_url.rstrip("/")
        self.page = page.strip("/")
        self.query = query.lstrip("?")
        self.timeout = timeout
        self.page_script_hash = ""
        self.pages: dict[str, str] = {}  # url path ("Language_model") → page script hash
        self.states: dict[str, WidgetState] = {}  # widget id → last value the "user" set
        self.user_values: dict[str, Any] = {}  # the same, by key, as given
        self.last: Run | None = None
        self.session_id = ""
        self._ws = None

    async def __aenter__(self) -> Session:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def connect(self) -> None:
        url = self.base_url.replace("http://", "ws://").replace("https://", "wss://") + "/_stcore/stream"
        self._ws = await websockets.connect(
            url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout,
            ping_interval=None,  # the server pings; a busy client loop must not drop the socket
            **({"local_addr": (self.local_addr, 0)} if self.local_addr else {}),
        )

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def open(self, page: str | None = None, query: str | None = None) -> Run:
        """Load a page (url path like "Language_model", "" for home) as a fresh browser visit would."""
        if self._ws is None:
            await self.connect()
        if page is not None:
            self.page = page.strip("/")
            self.page_script_hash = self.pages.get(self.page, "")
            self.states, self.user_values = {}, {}
            self.query = ""  # a link to another page carries no query string of its own
        if query is not None:
            self.query = query.lstrip("?")
        return await self._rerun(page_name=self.page)

    async def rerun(self) -> Run:
        """Rerun the current page with the current widget states (like pressing R)."""
        return await self._rerun()

    async def set(self, key: str, value: Any) -> Run:
        """Change the widget with this key, as a student would, and wait for the rerun."""
        return await self.set_many({key: value})

    async def set_many(self, values: dict[str, Any]) -> Run:
        if self.last is None:
            raise ScriptError("open a page first")
        widgets = self.last.widgets()
        fragments = set()
        for key, value in values.items():
            if key not in widgets:
                raise KeyError(f"no widget with key {key!r} on this page (have: {sorted(widgets)})")
            kind, proto = widgets[key]
            self.states[proto.id] = widget_state(kind, proto, value)
            fragments.add(self.last.fragment(key))
            if kind != "button":
                self.user_values[key] = value
        # Like the browser: a widget inside an st.fragment reruns only that fragment.
        run = await self._rerun(fragment_id=fragments.pop() if len(fragments) == 1 else "")
        for wid in [w for w, s in self.states.items() if s.WhichOneof("value") == "trigger_value"]:
            del self.states[wid]  # a click is a one-run trigger
        return run

    def put_file(self, name: str, data: bytes, file_id: str | None = None) -> tuple[int, str]:
        """PUT a file to Streamlit's upload endpoint as the browser does (XSRF cookie + header).

        Sent from this tab's ``local_addr``. Returns (HTTP status, upload URL). Blocking: call it
        through ``asyncio.to_thread``.
        """
        import http.client
        import http.cookies
        import urllib.parse
        import uuid

        parsed = urllib.parse.urlsplit(self.base_url)
        source = (self.local_addr, 0) if self.local_addr else None

        def request(method: str, path: str, body: bytes | None = None, headers: dict | None = None):
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=self.timeout,
                                              source_address=source)
            try:
                conn.request(method, path, body=body, headers=headers or {})
                resp = conn.getresponse()
                resp.read()
                return resp
            finally:
                conn.close()

        health = request("GET", "/_stcore/health")  # sets the XSRF cookie
        cookie = http.cookies.SimpleCookie(health.getheader("Set-Cookie") or "")
        token = cookie["_streamlit_xsrf"].value if "_streamlit_xsrf" in cookie else ""
        file_id = file_id or uuid.uuid4().hex
        path = f"/_stcore/upload_file/{self.session_id}/{file_id}"
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        resp = request("PUT", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                           "X-Xsrftoken": token, "Cookie": f"_streamlit_xsrf={token}"})
        return resp.status, self.base_url + path

    async def upload(self, key: str, name: str, data: bytes) -> Run:
        """Upload a file into the file_uploader with this key, as a student would, and wait for the rerun."""
        status, url = await asyncio.to_thread(self.put_file, name, data)
        if status != 204:
            raise ScriptError(f"upload refused with HTTP {status}")
        file_id = url.rsplit("/", 1)[1]
        return await self.set(key, [(file_id, name, len(data), url)])

    async def fire(self, key: str, value: Any) -> None:
        """Send a widget change and return at once: a student clicking again before the page finished."""
        kind, proto = self.last.widgets()[key]
        self.states[proto.id] = widget_state(kind, proto, value)
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_script_hash = self.page_script_hash
        msg.rerun_script.widget_states.widgets.extend(self.states.values())
        await self._ws.send(msg.SerializeToString())

    async def _rerun(self, page_name: str = "", fragment_id: str = "") -> Run:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_script_hash
        cs.page_name = page_name
        cs.widget_states.widgets.extend(self.states.values())
        base = None
        if fragment_id and self.last is not None:
            cs.fragment_id = fragment_id
            base = self.last
        t0 = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        run = await asyncio.wait_for(self._collect(base, fragment_id), self.timeout)
        run.seconds = time.perf_counter() - t0
        run.user_values = dict(self.user_values)
        self.last = run
        return run

    async def _collect(self, base: Run | None = None, fragment_id: str = "") -> Run:
        """Read ForwardMsgs until the run ends. A fragment run starts from ``base`` (the page as the
        student sees it) and replaces only what belongs to that fragment, as the browser does."""
        def fresh() -> Run:
            run = Run()
            if base is not None:
                run.elements = {p: e for p, e in base.elements.items() if base.fragment_of.get(p) != fragment_id}
                run.expanders = {p: e for p, e in base.expanders.items() if base.fragment_of.get(p) != fragment_id}
                run.fragment_of = {p: f for p, f in base.fragment_of.items() if f != fragment_id}
            return run

        run = fresh()
        while True:
            try:
                data = await self._ws.recv()
            except websockets.ConnectionClosed as err:
                raise ScriptError(f"websocket closed: {err}") from err
            fmsg = ForwardMsg()
            fmsg.ParseFromString(data)
            kind = fmsg.WhichOneof("type")
            if kind == "new_session":
                ns = fmsg.new_session
                run = fresh()  # a run (re)started: the page (or the fragment) is rebuilt from scratch
                self.session_id = ns.initialize.session_id or self.session_id
            elif kind == "navigation":  # which page actually runs, and the app's pages
                nav = fmsg.navigation
                self.page_script_hash = nav.page_script_hash
                self.pages = {p.url_pathname: p.page_script_hash for p in nav.app_pages}
            elif kind == "delta":
                dtype = fmsg.delta.WhichOneof("type")
                if fmsg.delta.fragment_id:
                    run.fragment_of[tuple(fmsg.metadata.delta_path)] = fmsg.delta.fragment_id
                if dtype == "new_element":
                    run.elements[tuple(fmsg.metadata.delta_path)] = fmsg.delta.new_element
                elif dtype == "add_block" and fmsg.delta.add_block.WhichOneof("type") == "expandable":
                    run.expanders[tuple(fmsg.metadata.delta_path)] = fmsg.delta.add_block.expandable
            elif kind == "page_info_changed":
                self.query = fmsg.page_info_changed.query_string.lstrip("?")  # the browser's URL follows
            elif kind == "page_not_found":
                run.page_not_found = True
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(fmsg.script_finished)
                if status == "FINISHED_EARLY_FOR_RERUN":
                    continue
                run.status = status
                if status == "FINISHED_WITH_COMPILE_ERROR":
                    raise ScriptError("script failed to compile")
                return run


# ---- Server processes ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(
    script: str | Path = ROOT / "app.py", port: int | None = None, args: list[str] | None = None,
    cwd: Path | None = None, timeout: float = 90.0, log: Path | None = None,
    launcher: list[str] | None = None, env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run script`` on 127.0.0.1 and wait until it answers; returns (process, url).

    ``launcher`` replaces ``python -m streamlit`` (e.g. devtools/probe_server.py); ``env`` is added to
    the environment.
    """
    port = port or free_port()
    cmd = [
        *(launcher or [sys.executable, "-m", "streamlit"]), "run", str(script), "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", *(args or []),
    ]
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=cwd or Path(script).resolve().parent, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {' '.join(cmd)}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    stop_app(proc)
    raise RuntimeError(f"streamlit did not answer on {url} within {timeout:.0f} s")


def stop_app(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop a process started by start_app (its own process group only)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout)


def server_rss(pid: int) -> int:
    """Resident memory of a process and its children, in bytes (psutil if present, else /proc)."""
    try:
        import psutil

        p = psutil.Process(pid)
        return sum(q.memory_info().rss for q in [p, *p.children(recursive=True)])
    except ImportError:
        pass
    page = os.sysconf("SC_PAGE_SIZE")
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * page


def page_url_path(page: Path) -> str:
    """The URL path Streamlit's pages/ mode gives a page file ("1_Language_model.py" → "Language_model")."""
    import re

    return re.sub(r"^[0-9]+[_ -]*", "", Path(page).stem) or Path(page).stem


def page_paths(root: Path = ROOT) -> list[str]:
    """URL paths of the lesson pages, in their order."""
    return [page_url_path(p) for p in sorted((root / "pages").glob("*.py"))]
