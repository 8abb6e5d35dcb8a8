"""Write the site's OpenAPI document to a file, without a server: the web app's typed client
(sites/demo/web) is generated from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from streamflix_core import plugins


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document ``/api/openapi.json`` serves."""
    return plugins.api().get_openapi_schema(path_prefix="/api/")


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/ to a file (or stdout)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", "-o", help="The file to write; stdout when omitted.")

    def handle(self, *args: Any, output: str | None = None, **options: Any) -> None:
        text = json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
