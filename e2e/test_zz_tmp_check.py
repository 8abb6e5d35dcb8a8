import json
import urllib.request


def test_videos_play(demo_server, demo_videos, subtitled_movie):
    print(demo_videos)
    assert len(demo_videos) == 2 and subtitled_movie["subtitles"]
    with urllib.request.urlopen(f"{demo_server}/api/media/titles?playable=true") as r:
        print(json.load(r))
