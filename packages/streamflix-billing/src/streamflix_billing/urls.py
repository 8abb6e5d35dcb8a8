"""Billing's plain Django URLs (``PluginSpec.urlpatterns``), mounted by core under the
plugin's URL prefix (default ``billing/``) in the ``billing`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("dev/checkout/<str:session_id>/", views.dev_checkout, name="dev-checkout"),
    path("dev/portal/<str:token>/", views.dev_portal, name="dev-portal"),
    path("admin/dashboard/", views.dashboard, name="dashboard"),
    path("admin/transactions.csv", views.transactions_csv, name="transactions-csv"),
]
