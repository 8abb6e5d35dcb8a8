"""Reusable test settings, URLs and pytest fixtures for Streamflix plugins and sites.

A plugin's ``tests/settings.py`` is usually::

    from streamflix_core.testing.settings import *  # noqa: F403
    from streamflix_core.testing.settings import compose

    INSTALLED_APPS = compose(["core", "media"])
"""
