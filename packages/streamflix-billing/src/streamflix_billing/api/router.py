"""The billing plugin's API, mounted at ``/api/billing/``."""

from ninja import Router

router = Router()
