"""The social API: engagement."""

from ninja import Router

router = Router()
