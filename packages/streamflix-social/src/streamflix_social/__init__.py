"""Streamflix social plugin."""
