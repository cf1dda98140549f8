"""Starting the app under gunicorn and Debian's headless Chromium: shared by the browser tests,
the dashboard benchmark and the README screenshot script."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: The unprivileged account a server runs as when asked (root ignores file permissions, so a
#: read-only cache can only be tried as another user).
NOBODY = 65534


def start_server(port: int, env: dict[str, str], log_path: Path | None = None,
                 seconds: float = 120, *, unprivileged: bool = False) -> subprocess.Popen:
    """``gunicorn app:server`` on 127.0.0.1:``port`` with ``env`` added; returns once it answers.
    ``unprivileged``: run as the nobody account when this process is root."""
    out = log_path.open("a") if log_path else subprocess.DEVNULL
    command = [sys.executable, "-m", "gunicorn", "app:server", "--bind", f"127.0.0.1:{port}"]
    if unprivileged and os.geteuid() == 0:
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
        env = {"HOME": "/tmp", **env}
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"the server did not answer within {seconds} s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def launch_chromium(playwright):
    """Debian's Chromium, headless, with the flags this network-less host needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
