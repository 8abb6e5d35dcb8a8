"""Request and response schemas of the media API, one module per topic."""
