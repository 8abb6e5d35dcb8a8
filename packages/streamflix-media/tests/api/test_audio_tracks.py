"""Extra audio languages uploaded per asset: encoded once into the audio group, listed in
both manifests, shown by the asset and playback APIs; bad files and states refused."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from streamflix_media.models import VideoAsset
from streamflix_media.transcoding.hls import parse_master_playlist
from tests.conftest import fetch, stored, upload

pytestmark = pytest.mark.usefixtures("media_settings")


@pytest.fixture(scope="module")
def french_audio(ffmpeg: str, clips_dir: Path) -> Path:
    target = clips_dir / "french.m4a"
    if not target.exists():
        subprocess.run(
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
             "-i", "sine=frequency=550:sample_rate=44100:d=6", "-ac", "2", "-c:a", "aac",
             str(target)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    return target


def add(staff_api, asset_id: int, path: Path, **fields):
    with open(path, "rb") as fh:
        return staff_api.upload(
            f"/api/media/assets/{asset_id}/audio-tracks", {"file": fh, **fields}
        )


def test_an_uploaded_language_joins_the_audio_group_of_both_manifests(
    staff_api, viewer_api, movie, clip_720, run_on_commit, french_audio, storage_root, ffmpeg
):
    with run_on_commit():
        asset_id = upload(staff_api, clip_720, role="feature", title=movie.slug).json()["id"]
    added = add(staff_api, asset_id, french_audio, language="fr")
    assert added.status_code == 201, added.json()
    assert added.json() == {
        "language": "fr", "name": "Français", "default": False, "channels": 2, "origin": "upload",
    }  # fmt: skip
    asset = VideoAsset.objects.get(pk=asset_id)
    files = stored(storage_root, f"{asset.output_prefix}/audio_x_fr")
    assert any(f.endswith("index.m3u8") for f in files) and any(f.endswith(".m4s") for f in files)

    play = viewer_api.post(f"/api/media/titles/{movie.slug}/playback", {}).json()
    assert [(t["language"], t["default"]) for t in play["audio_tracks"]] == [
        ("und", True), ("fr", False),
    ]  # fmt: skip
    master = parse_master_playlist(fetch(viewer_api.client, play["url"]).content.decode())
    audio = [m for m in master.media if m["TYPE"] == "AUDIO"]
    assert [(m["LANGUAGE"], m["NAME"], m["DEFAULT"]) for m in audio] == [
        ("und", "Original", "YES"), ("fr", "Français", "NO"),
    ]  # fmt: skip
    mpd = fetch(viewer_api.client, play["dash_url"]).content.decode()
    assert 'lang="fr"' in mpd and "audio_x_fr/" in mpd
    assert staff_api.get(f"/api/media/assets/{asset_id}").json()["audio_tracks"][1] == (
        added.json()
    )

    # Again as the default: replaces the French upload, the source track loses the mark.
    again = add(staff_api, asset_id, french_audio, language="fr", default="true", name="VF")
    assert again.status_code == 201 and again.json()["default"] is True
    tracks = VideoAsset.objects.get(pk=asset_id).audio_tracks
    assert [(t["language"], t["name"], t["default"]) for t in tracks] == [
        ("und", "Original", False), ("fr", "VF", True),
    ]  # fmt: skip
    # The French track plays from the files on storage (encoded once, AAC).
    played = subprocess.run(
        [ffmpeg, "-hide_banner", "-i",
         str(storage_root / asset.output_prefix / "audio_x_fr" / "index.m3u8"), "-f", "null", "-"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert played.returncode == 0 and re.search(r"Audio: aac.*stereo", played.stderr)


def test_bad_language_or_a_file_without_audio_is_422_and_changes_nothing(
    staff_api, movie, clip_720, make_clip, run_on_commit, french_audio, tmp_path
):
    with run_on_commit():
        asset_id = upload(staff_api, clip_720, role="feature", title=movie.slug).json()["id"]
    before = VideoAsset.objects.get(pk=asset_id).result
    for language in ("english!", "und", "12"):
        response = add(staff_api, asset_id, french_audio, language=language)
        assert response.status_code == 422, language
        body = response.json()
        assert body["code"] in {"invalid_audio", "validation_error"} and body["detail"]
    bad_tag = add(staff_api, asset_id, french_audio, language="english!")
    assert bad_tag.json()["code"] == "invalid_audio" and "language tag" in bad_tag.json()["detail"]
    text = tmp_path / "notes.txt"
    text.write_text("this is no audio at all\n")
    not_media = add(staff_api, asset_id, text, language="de")
    assert not_media.status_code == 422 and not_media.json()["code"] == "corrupt_source"
    silent = make_clip("silent_320x180.mp4", size="320x180", seconds=2, audio=False)
    no_audio = add(staff_api, asset_id, silent, language="de")
    assert no_audio.status_code == 422
    assert no_audio.json()["code"] == "invalid_audio"
    assert no_audio.json()["detail"] == "The file has no audio stream."
    assert VideoAsset.objects.get(pk=asset_id).result == before


def test_audio_tracks_need_a_ready_asset_and_staff(staff_api, viewer_api, movie, french_audio):
    asset = VideoAsset.objects.create(
        role="feature", title=movie, original_filename="a.mp4", sha256="0" * 64
    )
    response = add(staff_api, asset.pk, french_audio, language="fr")
    assert response.status_code == 409 and response.json()["code"] == "asset_not_ready"
    assert add(staff_api, 999_999, french_audio, language="fr").status_code == 404
    assert add(viewer_api, asset.pk, french_audio, language="fr").status_code == 403
