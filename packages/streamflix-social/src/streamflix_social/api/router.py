"""The social plugin's API, mounted at ``/api/social/``."""

from ninja import Router

router = Router()
