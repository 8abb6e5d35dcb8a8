"""The social API: live."""

from ninja import Router

router = Router()
