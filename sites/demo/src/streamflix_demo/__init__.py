"""The Streamflix demo site."""
