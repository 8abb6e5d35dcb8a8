"""Media models, one module per area (``catalog``; video assets arrive in their own module)."""

from .assets import Subtitle, UploadSession, VideoAsset
from .catalog import Credit, Episode, Genre, Person, Season, Title

__all__ = [
    "Credit",
    "Episode",
    "Genre",
    "Person",
    "Season",
    "Subtitle",
    "Title",
    "UploadSession",
    "VideoAsset",
]
