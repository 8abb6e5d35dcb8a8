import { h } from "../dom";

interface Imagery {
  name: string;
  poster?: string | null;
  poster_variants?: Record<string, string>;
  backdrop?: string | null;
  backdrop_variants?: Record<string, string>;
}

function smallest(variants: Record<string, string> | undefined): string | null {
  const entries = Object.entries(variants ?? {});
  if (!entries.length) return null;
  entries.sort(([a], [b]) => (parseInt(a, 10) || 0) - (parseInt(b, 10) || 0));
  return entries[Math.min(1, entries.length - 1)]?.[1] ?? null;
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase() ?? "")
    .join("");
}

// A stable hue per name, so placeholders tell titles apart.
function hue(name: string): number {
  let sum = 0;
  for (const char of name) sum = (sum * 31 + char.charCodeAt(0)) % 360;
  return sum;
}

/** The title's poster, or a styled placeholder with its name when it has none. */
export function poster(title: Imagery, kind: "poster" | "backdrop" = "poster"): HTMLElement {
  const url =
    kind === "poster"
      ? (smallest(title.poster_variants) ?? title.poster ?? null)
      : (title.backdrop ?? smallest(title.backdrop_variants) ?? title.poster ?? null);
  if (url) {
    const image = h("img", { src: url, alt: "", loading: "lazy", decoding: "async", class: `artwork ${kind}` });
    image.addEventListener("error", () => image.replaceWith(placeholder(title.name, kind)), { once: true });
    return image;
  }
  return placeholder(title.name, kind);
}

function placeholder(name: string, kind: string): HTMLElement {
  // a backdrop sits behind the title's name: initials there would only compete with it
  const element = h("div", { class: `artwork ${kind} placeholder`, "aria-hidden": "true" }, kind === "poster" ? h("span", {}, initials(name)) : null);
  element.style.setProperty("--hue", String(hue(name)));
  return element;
}
