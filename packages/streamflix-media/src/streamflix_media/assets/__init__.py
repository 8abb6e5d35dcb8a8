"""Video assets on the catalog: ingest, the transcode task, subtitles, direct uploads and
playback. The engine itself (files and storages only) is ``streamflix_media.transcoding``."""
