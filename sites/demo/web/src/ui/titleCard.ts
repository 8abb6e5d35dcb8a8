import type { TitleCard, WatchItem } from "../api/types";
import { h } from "../dom";
import { poster } from "./poster";

/** A poster card linking to the title page; with a progress bar when the profile started it. */
export function titleCard(title: TitleCard, watch?: WatchItem): HTMLElement {
  const progress = watch ?? title.progress;
  const fraction = progress && progress.duration > 0 ? Math.min(1, progress.position / progress.duration) : 0;
  const href = watch
    ? watch.episode
      ? `/watch/${encodeURIComponent(title.slug)}/episodes/${watch.episode.id}`
      : `/watch/${encodeURIComponent(title.slug)}`
    : `/title/${encodeURIComponent(title.slug)}`;
  const subtitle = watch?.episode
    ? `S${watch.episode.season}:E${watch.episode.number} ${watch.episode.name}`
    : [title.year, kindLabel(title.kind)].filter(Boolean).join(" · ");
  return h(
    "a",
    { class: "card", href, "data-slug": title.slug, "aria-label": `${title.name}${watch ? " (resume)" : ""}` },
    poster(title),
    fraction > 0
      ? h(
          "div",
          { class: "card-progress", "aria-hidden": "true" },
          h("span", { style: `width:${(fraction * 100).toFixed(1)}%` }),
        )
      : null,
    h("div", { class: "card-text" }, h("strong", {}, title.name), h("small", {}, subtitle)),
  );
}

export function kindLabel(kind: string): string {
  return kind === "series" ? "Series" : kind === "movie" ? "Film" : kind;
}

/** A horizontally scrolling row of cards. */
export function cardRow(name: string, cards: HTMLElement[], key?: string): HTMLElement {
  return h(
    "section",
    { class: "row", "aria-label": name, "data-row": key ?? null },
    h("h2", {}, name),
    h("div", { class: "row-cards" }, cards),
  );
}
