"""Billing's plain Django URLs (``PluginSpec.urlpatterns``)."""

from django.urls import include, path

from . import views

_patterns = [
    path("dev/checkout/<str:session_id>/", views.dev_checkout, name="dev-checkout"),
    path("dev/portal/<str:token>/", views.dev_portal, name="dev-portal"),
    path("admin/dashboard/", views.dashboard, name="dashboard"),
    path("admin/transactions.csv", views.transactions_csv, name="transactions-csv"),
]

urlpatterns = [path("billing/", include((_patterns, "streamflix_billing")))]
