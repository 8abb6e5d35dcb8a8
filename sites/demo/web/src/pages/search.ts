import { api } from "../api/client";
import { unwrap } from "../api/errors";
import type { SearchResult } from "../api/types";
import { debounce, h, render } from "../dom";
import type { RouteContext } from "../router";
import { empty, failure, loading } from "../ui/states";
import { kindLabel } from "../ui/titleCard";

function result(hit: SearchResult): HTMLElement {
  const href = hit.type === "title" ? `/title/${encodeURIComponent(hit.slug)}` : null;
  const label = [hit.year, hit.kind ? kindLabel(hit.kind) : hit.type === "person" ? "Person" : hit.type]
    .filter(Boolean)
    .join(" · ");
  return h(
    "li",
    {},
    href
      ? h("a", { href, class: "search-hit" }, h("strong", {}, hit.name), h("small", {}, label))
      : h("span", { class: "search-hit" }, h("strong", {}, hit.name), h("small", {}, label)),
  );
}

/** Search as you type (debounced), typo-tolerant; the query stays in the address bar. */
export function searchPage({ main, query }: RouteContext): () => void {
  const input = h("input", {
    type: "search",
    id: "search-input",
    name: "q",
    placeholder: "Titles, people, genres",
    autocomplete: "off",
    value: query.get("q") ?? "",
    "aria-describedby": "search-help",
    maxlength: 100,
  });
  const results = h("div", { class: "search-results", "aria-live": "polite" });
  let latest = 0;
  let left = false;
  const run = async (text: string) => {
    // a debounced run may fire after the viewer moved on: it must not rewrite that page's URL
    if (left) return;
    const q = text.trim();
    history.replaceState(null, "", q ? `/search?q=${encodeURIComponent(q)}` : "/search");
    const mine = ++latest;
    if (!q) {
      render(results, empty("Type to search the catalog."));
      return;
    }
    render(results, loading("Searching…"));
    try {
      const found = unwrap(await api.GET("/api/media/search", { params: { query: { q } } }));
      if (mine !== latest) return;
      render(
        results,
        found.results.length
          ? h("ul", { class: "search-list" }, found.results.map(result))
          : empty(`No results for “${q}”.`),
      );
    } catch (error) {
      if (mine === latest)
        render(
          results,
          failure(error, () => void run(q)),
        );
    }
  };
  const later = debounce(run, 250);
  input.addEventListener("input", () => later(input.value));
  render(
    main,
    h("h1", { class: "page-title" }, "Search"),
    h(
      "form",
      {
        role: "search",
        class: "search-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          void run(input.value);
        },
      },
      h("label", { for: "search-input", class: "visually-hidden" }, "Search"),
      input,
      h("small", { id: "search-help", class: "muted" }, "Typos are fine: “strangr thngs” finds it."),
    ),
    results,
  );
  input.focus();
  void run(input.value);
  return () => {
    left = true;
    latest++;
  };
}
