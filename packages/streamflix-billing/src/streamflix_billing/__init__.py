"""Streamflix billing plugin."""
