"""Process-local fan-out: one layer membership per process and group, relayed to local members."""

from __future__ import annotations

import asyncio
import logging

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import override_settings

from streamflix_core import fanout
from streamflix_core.fanout import fanout_send, process_fanout

IN_MEMORY = {"default": {"BACKEND": "streamflix_core.channel_layers.InMemoryChannelLayer"}}


@pytest.fixture(autouse=True)
def fresh_layer():
    """A new in-memory layer per test (channels caches the layer by alias)."""
    from channels.layers import channel_layers

    with override_settings(CHANNEL_LAYERS=IN_MEMORY):
        channel_layers.backends.clear()
        yield
        channel_layers.backends.clear()


class Inbox:
    """A member: keeps what it was given, can be told to fail."""

    def __init__(self, fail: bool = False) -> None:
        self.texts: list[str] = []
        self.fail = fail
        self.arrived = asyncio.Event()

    async def deliver(self, text: str) -> None:
        if self.fail:
            raise RuntimeError("this member is broken")
        self.texts.append(text)
        self.arrived.set()


async def wait_for(*inboxes: Inbox) -> None:
    await asyncio.wait_for(asyncio.gather(*(i.arrived.wait() for i in inboxes)), 5)
    for inbox in inboxes:
        inbox.arrived.clear()


def test_an_event_reaches_every_local_member_through_one_layer_membership():
    async def scenario() -> None:
        hub = process_fanout()
        assert hub is not None
        inboxes = [Inbox() for _ in range(100)]
        for inbox in inboxes:
            await hub.join("title.1", inbox.deliver)
        # The layer sees one member for the whole process, not one per socket.
        assert list(hub.layer.groups["title.1"]) == [hub.channel]
        assert hub.local_members("title.1") == 100

        sent = await sync_to_async(fanout_send)("title.1", '{"type": "counters"}')
        assert sent is True
        await wait_for(*inboxes)
        assert all(inbox.texts == ['{"type": "counters"}'] for inbox in inboxes)

    async_to_sync(scenario)()


def test_groups_stay_apart_and_the_same_loop_shares_one_hub():
    async def scenario() -> None:
        hub = process_fanout()
        assert process_fanout() is hub
        one, two = Inbox(), Inbox()
        await hub.join("title.1", one.deliver)
        await hub.join("title.2", two.deliver)
        await sync_to_async(fanout_send)("title.2", "for two")
        await wait_for(two)
        await asyncio.sleep(0.05)
        assert (one.texts, two.texts) == ([], ["for two"])

    async_to_sync(scenario)()


def test_the_last_member_leaving_drops_the_process_membership():
    async def scenario() -> None:
        hub = process_fanout()
        assert hub is not None
        first, second = Inbox(), Inbox()
        await hub.join("title.1", first.deliver)
        await hub.join("title.1", second.deliver)
        await hub.leave("title.1", first.deliver)
        assert hub.channel in hub.layer.groups["title.1"]
        await hub.leave("title.1", first.deliver)  # leaving twice is harmless
        await hub.leave("title.1", second.deliver)
        assert "title.1" not in hub.layer.groups
        assert hub.local_members("title.1") == 0
        assert await sync_to_async(fanout_send)("title.1", "nobody listens") is True

    async_to_sync(scenario)()


def test_a_failing_member_is_logged_and_the_others_still_receive(caplog):
    async def scenario() -> None:
        hub = process_fanout()
        assert hub is not None
        broken, fine = Inbox(fail=True), Inbox()
        await hub.join("title.1", broken.deliver)
        await hub.join("title.1", fine.deliver)
        await sync_to_async(fanout_send)("title.1", "still here")
        await wait_for(fine)
        assert fine.texts == ["still here"]

    with caplog.at_level(logging.ERROR, logger="streamflix_core.fanout"):
        async_to_sync(scenario)()
    assert "A fan-out member failed" in caplog.text


def test_members_with_a_writer_get_the_frame_and_a_failing_or_closed_writer_falls_back(caplog):
    from streamflix_core.socket_writers import text_frame

    frames: list[bytes] = []

    def writes(frame: bytes) -> bool:
        frames.append(frame)
        return True

    def closed(frame: bytes) -> bool:
        return False

    def broken(frame: bytes) -> bool:
        raise OSError("the socket is gone")

    async def scenario() -> None:
        hub = process_fanout()
        assert hub is not None
        direct, after_closed, after_broken = Inbox(), Inbox(), Inbox()
        await hub.join("title.1", direct.deliver, writer=writes)
        await hub.join("title.1", after_closed.deliver, writer=closed)
        await hub.join("title.1", after_broken.deliver, writer=broken)
        await sync_to_async(fanout_send)("title.1", "hello")
        await wait_for(after_closed, after_broken)
        assert frames == [text_frame("hello")] and direct.texts == []
        assert after_closed.texts == after_broken.texts == ["hello"]

    with caplog.at_level(logging.ERROR):
        async_to_sync(scenario)()
    assert "direct frame write failed" in caplog.text


def test_messages_without_a_group_or_text_are_ignored():
    async def scenario() -> None:
        hub = process_fanout()
        assert hub is not None
        inbox = Inbox()
        await hub.join("title.1", inbox.deliver)
        layer = hub.layer
        await layer.group_send("title.1", {"type": fanout.MESSAGE_TYPE, "group": "title.1"})
        await layer.group_send("title.1", {"type": fanout.MESSAGE_TYPE, "text": "no group"})
        ok = {"type": fanout.MESSAGE_TYPE, "group": "title.1", "text": "ok"}
        await layer.group_send("title.1", ok)
        await wait_for(inbox)
        assert inbox.texts == ["ok"]

    async_to_sync(scenario)()


def test_memberships_are_renewed_before_the_layer_forgets_them(monkeypatch):
    async def scenario() -> None:
        hub = process_fanout()
        assert hub is not None
        monkeypatch.setattr(hub.layer, "group_expiry", 4)  # renewed every second
        inbox = Inbox()
        await hub.join("title.1", inbox.deliver)
        joined_at = hub.layer.groups["title.1"][hub.channel]
        await asyncio.sleep(1.3)
        assert hub.layer.groups["title.1"][hub.channel] > joined_at

    async_to_sync(scenario)()


def test_without_a_channel_layer_nothing_is_sent_and_there_is_no_hub():
    with override_settings(CHANNEL_LAYERS={}):
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        assert fanout_send("title.1", "x") is False

        async def scenario() -> None:
            assert process_fanout() is None

        async_to_sync(scenario)()
