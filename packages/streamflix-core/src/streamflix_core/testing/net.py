"""Real servers on the loopback interface for tests and benchmarks: a free port, waiting
until a freshly started server answers, and stopping it.

Only the standard library is used, so e2e tests, benchmarks and any package's tests can
import this without Django being set up::

    port = free_port()
    server = subprocess.Popen([..., "--port", str(port)])
    try:
        wait_until_listening(port, server, name="localstripe")
        ...
    finally:
        stop(server)
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable

LOOPBACK = "127.0.0.1"


class ServerDidNotStart(RuntimeError):
    """A server exited, or did not answer before its deadline."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nothing listens on right now (the OS picks it; a server started right after
    gets it in practice)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_until(
    ready: Callable[[], bool],
    process: subprocess.Popen | None = None,
    *,
    timeout: float = 60,
    interval: float = 0.3,
    name: str = "the server",
) -> None:
    """Call ``ready()`` every ``interval`` seconds until it returns true. An ``OSError`` from
    it counts as "not yet". Raises :class:`ServerDidNotStart` when ``process`` exits first or
    ``timeout`` seconds pass; the process is left running for the caller to stop or read."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise ServerDidNotStart(f"{name} exited with status {process.returncode}")
        try:
            if ready():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServerDidNotStart(f"{name} did not answer within {timeout:g} s")
        time.sleep(interval)


def wait_until_listening(
    port: int,
    process: subprocess.Popen | None = None,
    *,
    host: str = LOOPBACK,
    timeout: float = 30,
    interval: float = 0.1,
    name: str = "the server",
) -> None:
    """Wait until something accepts TCP connections on ``host:port``."""

    def accepts() -> bool:
        with socket.create_connection((host, port), timeout=0.5):
            return True

    wait_until(accepts, process, timeout=timeout, interval=interval, name=name)


def wait_until_answers(
    url: str,
    process: subprocess.Popen | None = None,
    *,
    timeout: float = 60,
    interval: float = 0.3,
    name: str = "the server",
) -> None:
    """Wait until ``GET url`` answers with a 2xx or 3xx status."""

    def answers() -> bool:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a test's own server
            return True

    wait_until(answers, process, timeout=timeout, interval=interval, name=name)


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate ``process`` and wait for it; kill it if it outlives ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
