"""The social API: comments."""

from ninja import Router

router = Router()
