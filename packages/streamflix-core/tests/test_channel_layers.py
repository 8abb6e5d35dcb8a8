"""The in-memory channel layer cleans expired entries at most once a second."""

from __future__ import annotations

from asgiref.sync import async_to_sync

from streamflix_core.channel_layers import InMemoryChannelLayer


def test_a_group_send_reaches_every_member_and_cleans_at_most_once_a_second(monkeypatch):
    layer = InMemoryChannelLayer()
    walks: list[int] = []
    original = InMemoryChannelLayer.__mro__[1]._clean_expired

    def counting(self):
        walks.append(1)
        original(self)

    monkeypatch.setattr(InMemoryChannelLayer.__mro__[1], "_clean_expired", counting)

    async def scenario() -> list[dict]:
        channels = [await layer.new_channel() for _ in range(50)]
        for channel in channels:
            await layer.group_add("room", channel)
        await layer.group_send("room", {"type": "live.event", "text": "hi"})
        return [await layer.receive(channel) for channel in channels]

    received = async_to_sync(scenario)()
    assert [m["text"] for m in received] == ["hi"] * 50
    # The stock layer walks everything on each of the 50 sends and 50 receives.
    assert len(walks) == 1
