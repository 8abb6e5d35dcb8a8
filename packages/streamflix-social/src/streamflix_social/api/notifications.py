"""The social API: notifications."""

from ninja import Router

router = Router()
