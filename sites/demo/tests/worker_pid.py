"""Test-only middleware: names the process that answered, so the multi-process tests can
tell which gunicorn worker served each response."""

from __future__ import annotations

import os
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Streamflix-Worker"


class WorkerPidMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response[HEADER] = str(os.getpid())
        return response
