"""The README's scaling recipe, proven on loopback: two app processes behind nginx, sticky sessions.

Streamlit keeps a session in one process, so a load balancer must be sticky. This starts two
``streamlit run app.py`` processes and Debian's nginx (config generated into a temp dir: a sticky
upstream, WebSocket upgrade headers), then sends students from different loopback addresses
(different "machines") through nginx: with ``ip_hash`` from 8 subnets, and with
``hash $remote_addr consistent`` from one subnet, as in a lecture hall. It checks that every
session worked, that both backends served sessions, and that each address's two tabs reached the
same backend.

Skips when nginx is missing, except under CI=true, where it must run (.ci/run installs nginx).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import shutil
import subprocess
import time
import urllib.request

import pytest

from conftest import ROOT, ReplayView
from devtools.stclient import Session, free_port, start_app, stop_app

# ip_hash keys on the first three octets of the address, so a lecture hall on one /24 subnet would
# all land on one process; `hash $remote_addr consistent` uses the whole address.
BALANCING = {
    "ip_hash": ("ip_hash;", [f"127.0.{k}.1" for k in range(1, 9)]),  # students from 8 subnets
    "hash_remote_addr": ("hash $remote_addr consistent;", [f"127.0.0.{k}" for k in range(11, 19)]),  # one subnet
}
PAGE = "Language_model"
TIME_LIMIT = 420

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$remote_addr $upstream_addr "$request" $status';
    access_log {tmp}/access.log upstream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 1m;  # nothing but uploads sends a body
    limit_req_zone $binary_remote_addr zone=rnnlab_uploads:1m rate=12r/m;  # per student address

    upstream rnnlab {{
        {balancing}  # sticky: a student's browser always reaches the process holding its session
        server 127.0.0.1:{port_a};
        server 127.0.0.1:{port_b};
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    server {{
        listen 127.0.0.1:{port};
        location /_stcore/upload_file/ {{
            client_max_body_size 20m;  # = server.maxUploadSize in .streamlit/config.toml
            limit_req zone=rnnlab_uploads burst=3 nodelay;  # a burst of uploads is refused (429)
            limit_req_status 429;
            proxy_request_buffering off;  # stream the file to the app, no temp file in nginx
            proxy_pass http://rnnlab;
            proxy_set_header Host $host;
        }}
        location / {{
            proxy_pass http://rnnlab;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;  # Streamlit talks over a WebSocket
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 1h;  # an idle student's socket stays open
            proxy_buffering off;
        }}
    }}
}}
"""


def find_nginx() -> str | None:
    return os.environ.get("RNNLAB_NGINX") or shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


@pytest.fixture(scope="module")
def nginx_binary():
    path = find_nginx()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing: CI must install Debian's nginx package (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx); CI runs this test")
    return path


@contextlib.contextmanager
def behind_nginx(nginx_binary: str, tmp_path, directive: str, n_backends: int = 2):
    """n app processes and nginx in front of them (the README's recipe); yields (url, backend ports)."""
    (tmp_path / "logs").mkdir(exist_ok=True)
    backends, nginx = [], None
    try:
        for name in "ab"[:n_backends]:
            backends.append(start_app(ROOT / "app.py", log=tmp_path / f"backend_{name}.log",
                                      env={"RNNLAB_WARMUP": "0"}))
        port = free_port()
        ports = [int(url.rsplit(":", 1)[1]) for _, url in backends]
        conf = tmp_path / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp_path, port=port, port_a=ports[0], port_b=ports[-1],
                                          balancing=directive))
        nginx = subprocess.Popen([nginx_binary, "-p", str(tmp_path), "-c", str(conf)],
                                 stdout=subprocess.DEVNULL, stderr=open(tmp_path / "nginx.stderr", "wb"),
                                 start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    assert r.read() == b"ok"
                break
            except OSError:
                assert nginx.poll() is None, (tmp_path / "nginx.stderr").read_text()
                assert time.monotonic() < deadline, "nginx did not answer"
                time.sleep(0.3)
        yield url, ports
    finally:
        if nginx is not None and nginx.poll() is None:
            nginx.terminate()
            nginx.wait(10)
        for proc, _ in backends:
            stop_app(proc)


def test_uploads_behind_nginx_a_burst_is_refused_a_normal_upload_passes(nginx_binary, tmp_path):
    """The recipe's upload limits: over 20 MB → 413, a burst of large PUTs → 429, a normal upload → 204."""
    with behind_nginx(nginx_binary, tmp_path, "hash $remote_addr consistent;", n_backends=1) as (url, _):

        async def scenario():
            async with Session(url, "", local_addr="127.0.0.21", timeout=120) as s:
                await s.open()  # a live session: Streamlit accepts files only for one
                normal = await asyncio.to_thread(s.put_file, "words.txt", b"hello world\n" * 100)
                too_big = await asyncio.to_thread(s.put_file, "big.txt", b"x" * (21 * 1024 * 1024))
                burst = [await asyncio.to_thread(s.put_file, f"b{i}.txt", b"y" * (8 * 1024 * 1024))
                         for i in range(10)]
            async with Session(url, "", local_addr="127.0.0.22", timeout=120) as other:
                await other.open()  # another student's address is not limited by the first one's burst
                other_status = await asyncio.to_thread(other.put_file, "mine.txt", b"ok\n")
            return normal[0], too_big[0], [b[0] for b in burst], other_status[0]

        normal, too_big, burst, other = asyncio.run(asyncio.wait_for(scenario(), TIME_LIMIT))
    assert normal == 204
    assert too_big == 413
    assert burst.count(429) >= 6 and set(burst) <= {204, 429}, burst
    assert other == 204


def replay_metrics(run) -> dict[str, str]:
    """The hello replay's metrics at the step it opens at, as the page sent them to the browser."""
    try:
        view = ReplayView(run.components(), "hello")
    except StopIteration:
        return {}
    return view.metrics(view.init)


@pytest.mark.parametrize("balancing", list(BALANCING))
def test_two_backends_behind_nginx_sticky(nginx_binary, tmp_path, balancing):
    directive, students = BALANCING[balancing]
    with behind_nginx(nginx_binary, tmp_path, directive) as (url, ports):

        async def student(addr: str) -> list[str]:
            """Open hello through nginx, rerun it twice (a lazy table opened and closed); returns problems seen."""
            problems = []
            async with Session(url, PAGE, "hidden=8", local_addr=addr, timeout=240) as s:
                run = await s.open()
                for opened in (None, True, False):
                    if opened is not None:
                        run = await s.set("num_curves", opened)
                    if run.exceptions() or run.page_not_found or "Loss at this step" not in replay_metrics(run):
                        problems.append(f"{addr} rerun {opened}: {run.exceptions() or 'page not shown'}")
                if replay_metrics(run).get("Vocabulary size V") != "4":
                    problems.append(f"{addr}: wrong page content {replay_metrics(run)}")
            async with Session(url, PAGE, "hidden=8", local_addr=addr, timeout=240) as tab2:  # a second tab
                run = await tab2.open()
                if run.exceptions() or "Loss at this step" not in replay_metrics(run):
                    problems.append(f"{addr} second tab: {run.exceptions() or 'page not shown'}")
            return problems

        async def load():
            first = await student(students[0])  # one cold start, then the rest at once
            rest = await asyncio.gather(*(student(a) for a in students[1:]))
            return first + [p for r in rest for p in r]

        problems = asyncio.run(asyncio.wait_for(load(), TIME_LIMIT))
        assert problems == []

    # nginx logs a WebSocket when it closes: which backend held each student's session.
    served, sessions = collections.defaultdict(set), 0
    for line in (tmp_path / "access.log").read_text().splitlines():
        if "/_stcore/stream" in line:
            addr, upstream = line.split()[:2]
            served[addr].add(upstream)
            sessions += 1
    assert set(served) == set(students), f"sessions seen: {dict(served)}"
    assert sessions == 2 * len(students), f"expected two tabs per student, nginx saw {sessions} sessions"
    assert all(len(u) == 1 for u in served.values()), f"an address reached two backends: {dict(served)}"
    backends_used = {u for us in served.values() for u in us}
    assert backends_used == {f"127.0.0.1:{p}" for p in ports}, f"not both backends served: {dict(served)}"
