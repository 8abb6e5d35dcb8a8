"""Media models, one module per area: the catalog, video assets, watching."""

from .assets import Subtitle, UploadSession, VideoAsset
from .catalog import Credit, Episode, Genre, Person, Season, Title
from .watching import PlaybackSession, WatchProgress

__all__ = [
    "Credit",
    "Episode",
    "Genre",
    "Person",
    "PlaybackSession",
    "Season",
    "Subtitle",
    "Title",
    "UploadSession",
    "VideoAsset",
    "WatchProgress",
]
