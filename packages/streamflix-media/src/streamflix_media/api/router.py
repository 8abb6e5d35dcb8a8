"""The media plugin's API, mounted at ``/api/media/``."""

from ninja import Router

router = Router()
