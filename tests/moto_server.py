"""moto in server mode on 127.0.0.1 (a free port), for the tests that need AWS: started, awaited, stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SESSION_POLICIES = Path(__file__).resolve().parent / "moto_session_policies.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_server(managed_policies: bool = False, session_policies: bool = False) -> Iterator[str]:
    """Its URL while the block runs; `managed_policies`: AWS's managed policies exist (attachable), which moto
    loads only when asked; `session_policies`: an assumed role's session policy limits it too
    (tests/moto_session_policies.py)."""
    port = free_port()
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true" if managed_policies else "false"}
    proc = subprocess.Popen(
        [sys.executable, *(["-m", "moto.server"] if not session_policies else [str(SESSION_POLICIES)]),
         "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
