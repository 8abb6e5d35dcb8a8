"""Frames encoded once and written straight to daphne's sockets (the fan-out's fast path)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from streamflix_core.socket_writers import frame_writer, text_frame
from streamflix_core.testing.net import free_port, stop, wait_until_listening

PACKAGE = Path(__file__).resolve().parent.parent


def parse_frame(frame: bytes) -> tuple[int, str]:
    """(first byte, text) of one unmasked frame, checking the length field's form."""
    first, length = frame[0], frame[1]
    assert not length & 0x80, "a server's frame is never masked"
    if length == 126:
        size, start = int.from_bytes(frame[2:4], "big"), 4
        assert size >= 126
    elif length == 127:
        size, start = int.from_bytes(frame[2:10], "big"), 10
        assert size >= 1 << 16
    else:
        size, start = length, 2
    assert len(frame) == start + size
    return first, frame[start:].decode()


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_a_text_frame_is_final_unmasked_and_uses_the_shortest_length_form(size):
    text = "é" * (size // 2) + "a" * (size % 2)

    first, decoded = parse_frame(text_frame(text))

    assert first == 0x81
    assert decoded == text


async def plain_send(message: dict) -> None:
    """An ASGI send that is not daphne's."""


def test_only_daphnes_sockets_get_a_writer():
    assert frame_writer(plain_send) is None
    assert frame_writer(functools.partial(print, object())) is None
    assert frame_writer(None) is None


def test_frames_written_directly_keep_their_order_with_asgi_sends_under_a_real_daphne():
    from websockets.sync.client import connect

    port = free_port()
    daphne = Path(sys.executable).with_name("daphne")
    server = subprocess.Popen(
        [str(daphne), "-b", "127.0.0.1", "-p", str(port), "tests.socket_writer_app:application"],
        cwd=PACKAGE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_listening(port, server, timeout=30)
        with connect(f"ws://127.0.0.1:{port}/", max_size=None, open_timeout=10) as socket:
            assert json.loads(socket.recv(timeout=10)) == {"writer": True}
            socket.send("go")
            received = [socket.recv(timeout=30) for _ in range(4)]
    finally:
        stop(server, timeout=10)

    assert received[:2] == ["one", "two"]
    assert received[2] == "x" * (4 * 1024 * 1024)
    assert received[3] == "fünf ✓"
