// Trickplay thumbnails: a WebVTT index whose cues name a sprite sheet and a tile
// (`sprite_001.jpg#xywh=160,0,160,90`).

export interface Thumbnail {
  start: number;
  end: number;
  url: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

function seconds(stamp: string): number {
  const parts = stamp.trim().split(":").map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/** The tiles of a thumbnails index; `base` is the index's absolute URL. */
export function parseThumbnails(vtt: string, base: string): Thumbnail[] {
  const baseUrl = new URL(base);
  const thumbnails: Thumbnail[] = [];
  for (const block of vtt.replace(/\r/g, "").split("\n\n")) {
    const lines = block.split("\n").filter(Boolean);
    const timing = lines.findIndex((line) => line.includes("-->"));
    const target = lines[timing + 1];
    if (timing < 0 || !target) continue;
    const [from, rest] = (lines[timing] ?? "").split("-->");
    const to = rest?.trim().split(/\s+/)[0];
    const [file, fragment] = target.trim().split("#xywh=");
    const box = (fragment ?? "").split(",").map(Number);
    if (!from || !to || !file || box.length !== 4) continue;
    const url = new URL(file, baseUrl);
    // signed delivery: the sheets share the index's query string
    if (!url.search) url.search = baseUrl.search;
    thumbnails.push({
      start: seconds(from),
      end: seconds(to),
      url: url.href,
      x: box[0] ?? 0,
      y: box[1] ?? 0,
      width: box[2] ?? 0,
      height: box[3] ?? 0,
    });
  }
  return thumbnails;
}

export async function loadThumbnails(url: string | null | undefined): Promise<Thumbnail[]> {
  if (!url) return [];
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    return response.ok ? parseThumbnails(await response.text(), new URL(url, window.location.href).href) : [];
  } catch {
    return [];
  }
}

export function thumbnailAt(thumbnails: Thumbnail[], time: number): Thumbnail | undefined {
  return thumbnails.find((t) => time >= t.start && time < t.end) ?? thumbnails[thumbnails.length - 1];
}
