from __future__ import annotations

from typing import Literal

from ninja import Field, Schema


class PartStatusOut(Schema):
    name: str
    ok: bool
    critical: bool = Field(
        description="A failing critical part makes the site unready (503); a failing "
        "non-critical one (the task worker) makes it degraded (200)."
    )
    latency_ms: float
    error: str | None = None


class HealthOut(Schema):
    status: Literal["ok", "degraded", "fail"]
    failed: list[str] = Field(description="Critical parts that failed (the reason for a 503).")
    degraded: list[str] = Field(description="Non-critical parts that failed.")
    parts: list[PartStatusOut]


class PluginOut(Schema):
    name: str
    distribution: str
    version: str
    api_prefix: str | None
    requires: list[str]
