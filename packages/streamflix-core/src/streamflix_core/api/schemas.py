from __future__ import annotations

from ninja import Schema


class PartStatusOut(Schema):
    name: str
    ok: bool
    latency_ms: float
    error: str | None = None


class HealthOut(Schema):
    status: str
    failed: list[str]
    parts: list[PartStatusOut]


class PluginOut(Schema):
    name: str
    distribution: str
    version: str
    api_prefix: str | None
    requires: list[str]
