from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from streamflix_media.transcoding import (
    PublishError,
    SubtitleInput,
    TranscodeError,
    asset_prefix,
    delete_prefix,
    list_prefix,
    publish_directory,
    publish_subtitle,
    transcode_and_publish,
)
from streamflix_media.transcoding.hls import parse_master_playlist


def make_tree(root: Path) -> None:
    (root / "240p").mkdir(parents=True)
    (root / "240p" / "index.m3u8").write_text("#EXTM3U\n")
    (root / "240p" / "seg_00000.m4s").write_bytes(b"x" * 100)
    (root / "master.m3u8").write_text("#EXTM3U\n")


def test_asset_prefix_is_per_asset_and_version(settings):
    assert asset_prefix(42, 3) == "hls/42/v3"
    assert asset_prefix("abc", 1, root="out/") == "out/abc/v1"
    settings.STREAMFLIX_MEDIA = {"HLS_OUTPUT_PREFIX": "video"}
    assert asset_prefix(7, 1) == "video/7/v1"
    for bad in ("", "a/b", ".."):
        with pytest.raises(ValueError, match="Invalid asset key"):
            asset_prefix(bad, 1)
    with pytest.raises(ValueError, match="version"):
        asset_prefix(1, 0)


def test_publish_writes_everything_with_the_master_last(local_storage, tmp_path):
    make_tree(tmp_path / "out")
    order = []
    names = publish_directory(
        tmp_path / "out",
        storage=local_storage,
        prefix="hls/1/v1",
        workers=1,
        on_file=lambda done, total: order.append((done, total)),
    )
    assert names[-1] == "hls/1/v1/master.m3u8"
    assert sorted(list_prefix(local_storage, "hls/1/v1")) == sorted(names)
    assert order[-1] == (3, 3)
    # A second publish to the same prefix replaces instead of renaming.
    publish_directory(tmp_path / "out", storage=local_storage, prefix="hls/1/v1")
    assert sorted(list_prefix(local_storage, "hls/1/v1")) == sorted(names)
    assert delete_prefix(local_storage, "hls/1/v1") == 3
    assert list_prefix(local_storage, "hls/1/v1") == []
    assert not Path(local_storage.path("hls/1/v1")).exists()
    assert delete_prefix(local_storage, "hls/1/v1") == 0
    with pytest.raises(ValueError, match="whole storage"):
        delete_prefix(local_storage, "/")


class FlakyStorage(FileSystemStorage):
    def __init__(self, *args, fail_on: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fail_on = fail_on

    def _save(self, name, content):
        if name.endswith(self.fail_on):
            raise OSError("disk full")
        return super()._save(name, content)


def test_a_failed_publish_leaves_nothing(tmp_path):
    make_tree(tmp_path / "out")
    storage = FlakyStorage(location=str(tmp_path / "storage"), fail_on="master.m3u8")
    with pytest.raises(PublishError, match="disk full") as exc:
        publish_directory(tmp_path / "out", storage=storage, prefix="hls/1/v1")
    assert exc.value.code == "publish_failed"
    assert list_prefix(storage, "hls/1/v1") == []


def test_transcode_and_publish_to_local_storage(clip_720, local_storage, fast_options):
    progress = []
    result = transcode_and_publish(
        clip_720,
        storage=local_storage,
        prefix="hls/a1/v1",
        options=fast_options,
        on_progress=progress.append,
    )
    stored = {n.removeprefix("hls/a1/v1/") for n in list_prefix(local_storage, "hls/a1/v1")}
    assert stored == set(result.files)
    assert progress[-1] == 100 and progress == sorted(progress)
    assert max(p for p in progress if p < 100) <= 95

    updated = publish_subtitle(
        result,
        storage=local_storage,
        prefix="hls/a1/v1",
        subtitle=SubtitleInput("de", "1\n00:00:01,000 --> 00:00:02,000\nHallo\n"),
    )
    with local_storage.open("hls/a1/v1/master.m3u8") as fh:
        master = parse_master_playlist(fh.read().decode())
    assert [m["LANGUAGE"] for m in master.media if m["TYPE"] == "SUBTITLES"] == ["de"]
    assert local_storage.exists("hls/a1/v1/subtitles/de.vtt")
    assert "subtitles/de.m3u8" in updated.files


def test_a_corrupt_source_fails_and_leaves_no_output(truncated_clip, local_storage, fast_options):
    local_storage.save("hls/a2/v1/stale.txt", ContentFile(b"old attempt"))
    with pytest.raises(TranscodeError) as exc:
        transcode_and_publish(
            truncated_clip, storage=local_storage, prefix="hls/a2/v1", options=fast_options
        )
    assert "truncated" in exc.value.detail
    assert list_prefix(local_storage, "hls/a2/v1") == []
