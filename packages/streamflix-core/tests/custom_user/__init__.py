"""A second test project: a site with its own user model (UUID keys, ``full_name``, no
``display_name``/``avatar``/``email_verified``). Run with
``pytest --ds=tests.custom_user.settings tests/custom_user``."""
