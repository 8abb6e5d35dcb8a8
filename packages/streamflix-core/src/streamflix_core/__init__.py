"""Streamflix core: accounts, auth, profiles, hooks, signals and the plugin registry."""

__version__ = "0.1.0"
