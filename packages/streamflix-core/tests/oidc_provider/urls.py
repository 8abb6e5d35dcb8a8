from django.contrib.auth import get_user_model, login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme


def login_as(request: HttpRequest) -> HttpResponse:
    """The provider's sign-in, reduced for tests: ``?email=&verified=1&name=&next=``."""
    email = request.GET["email"]
    user, _ = get_user_model().objects.get_or_create(username=email, defaults={"email": email})
    user.last_name = "verified" if request.GET.get("verified") == "1" else ""
    user.first_name = request.GET.get("name", "")
    user.save()
    login(request, user)
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        next_url = "/"
    return HttpResponseRedirect(next_url)


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("oidc test provider")


urlpatterns = [
    path("", home),
    path("login", login_as),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
