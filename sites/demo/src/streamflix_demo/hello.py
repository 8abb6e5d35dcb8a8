"""The benchmarks' ceiling: the cheapest answer this site can give, behind all its middleware.

Every HTTP benchmark measures it in the same run as the endpoint it studies and reports that
endpoint as a share of it (``bench/``): what is left is the endpoint's own cost.
"""

from django.http import HttpRequest, JsonResponse


def hello(request: HttpRequest) -> JsonResponse:
    """``{"hello": "world"}``."""
    return JsonResponse({"hello": "world"})
