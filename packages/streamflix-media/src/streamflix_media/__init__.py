"""Streamflix media plugin."""
