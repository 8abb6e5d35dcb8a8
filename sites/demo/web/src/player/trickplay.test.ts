import { describe, expect, it } from "vitest";
import { parseThumbnails, thumbnailAt } from "./trickplay";

const INDEX = `WEBVTT

00:00:00.000 --> 00:00:10.000
sprite_001.jpg#xywh=0,0,160,90

00:00:10.000 --> 00:00:20.000 align:start
sprite_001.jpg#xywh=160,0,160,90

00:01:00.000 --> 00:01:10.000
https://cdn.example.com/other.jpg?sig=1#xywh=0,90,160,90
`;

describe("parseThumbnails", () => {
  const base = "http://127.0.0.1:8000/stream/assets/7/trickplay/thumbnails.vtt?exp=1&sig=abc";
  const tiles = parseThumbnails(INDEX, base);

  it("reads every cue's time range and tile", () => {
    expect(tiles).toHaveLength(3);
    expect(tiles[1]).toMatchObject({ start: 10, end: 20, x: 160, y: 0, width: 160, height: 90 });
    expect(tiles[2]).toMatchObject({ start: 60, end: 70 });
  });

  it("resolves sheets beside the index and carries its signature", () => {
    expect(tiles[0]?.url).toBe("http://127.0.0.1:8000/stream/assets/7/trickplay/sprite_001.jpg?exp=1&sig=abc");
  });

  it("keeps an absolute sheet URL with its own query", () => {
    expect(tiles[2]?.url).toBe("https://cdn.example.com/other.jpg?sig=1");
  });

  it("skips malformed cues", () => {
    expect(parseThumbnails("WEBVTT\n\n00:00.000 --> 00:10.000\nno-fragment.jpg\n", base)).toEqual([]);
  });
});

describe("thumbnailAt", () => {
  const tiles = parseThumbnails(INDEX, "http://x/t.vtt");

  it("finds the tile of a moment", () => {
    expect(thumbnailAt(tiles, 12.5)?.x).toBe(160);
  });

  it("falls back to the last tile past the end", () => {
    expect(thumbnailAt(tiles, 500)?.start).toBe(60);
  });
});
