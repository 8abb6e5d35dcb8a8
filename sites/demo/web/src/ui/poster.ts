import { h } from "../dom";

interface Imagery {
  name: string;
  poster?: string | null;
  poster_variants?: Record<string, string>;
  backdrop?: string | null;
  backdrop_variants?: Record<string, string>;
}

// Variants are keyed by width ("w185", "w780"...): let the browser pick what the layout needs.
function byWidth(variants: Record<string, string> | undefined): [number, string][] {
  return Object.entries(variants ?? {})
    .map(([key, url]): [number, string] => [Number(/^w(\d+)$/.exec(key)?.[1] ?? NaN), url])
    .filter(([width]) => Number.isFinite(width))
    .sort(([a], [b]) => a - b);
}

function srcset(variants: Record<string, string> | undefined): string | null {
  const entries = byWidth(variants);
  return entries.length ? entries.map(([width, url]) => `${url} ${width}w`).join(", ") : null;
}

function largest(variants: Record<string, string> | undefined): string | null {
  return byWidth(variants).at(-1)?.[1] ?? null;
}

const SIZES = { poster: "(max-width: 640px) 40vw, 200px", backdrop: "100vw" };

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
  const variants = kind === "poster" ? title.poster_variants : title.backdrop_variants;
  const original = kind === "poster" ? title.poster : title.backdrop;
  const url = original ?? largest(variants);
  if (url) {
    const set = srcset(variants);
    const image = h("img", {
      src: url,
      srcset: set,
      sizes: set ? SIZES[kind] : null,
      alt: "",
      loading: kind === "poster" ? "lazy" : "eager",
      decoding: "async",
      class: `artwork ${kind}`,
    });
    image.addEventListener("error", () => image.replaceWith(placeholder(title.name, kind)), { once: true });
    return image;
  }
  return placeholder(title.name, kind);
}

function placeholder(name: string, kind: string): HTMLElement {
  // a backdrop sits behind the title's name: initials there would only compete with it
  const element = h(
    "div",
    { class: `artwork ${kind} placeholder`, "aria-hidden": "true" },
    kind === "poster" ? h("span", {}, initials(name)) : null,
  );
  element.style.setProperty("--hue", String(hue(name)));
  return element;
}
