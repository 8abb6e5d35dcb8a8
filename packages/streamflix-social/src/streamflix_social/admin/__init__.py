"""Unfold admins of the social plugin, one module per topic."""
