import { api } from "../api/client";
import { unwrap } from "../api/errors";
import type { HomeRow, TitleCard } from "../api/types";
import { h, render } from "../dom";
import type { RouteContext } from "../router";
import { currentProfile } from "../session";
import { poster } from "../ui/poster";
import { empty, failure, loading } from "../ui/states";
import { cardRow, titleCard } from "../ui/titleCard";

function banner(title: TitleCard): HTMLElement {
  return h(
    "section",
    { class: "banner", "aria-label": `Featured: ${title.name}` },
    poster(title, "backdrop"),
    h(
      "div",
      { class: "banner-text" },
      h("h1", {}, title.name),
      h("p", { class: "muted" }, [title.year, title.genres.map((g) => g.name).join(", ")].filter(Boolean).join(" · ")),
      h(
        "div",
        { class: "actions" },
        title.playable
          ? h("a", { class: "button primary", href: `/watch/${encodeURIComponent(title.slug)}` }, "▶ Play")
          : null,
        h("a", { class: "button", href: `/title/${encodeURIComponent(title.slug)}` }, "More info"),
      ),
    ),
  );
}

function row(data: HomeRow): HTMLElement | null {
  if (data.items?.length)
    return cardRow(
      data.name,
      data.items.map((item) => titleCard(item.title, item)),
      data.key,
    );
  if (!data.titles.length) return null;
  return cardRow(
    data.name,
    data.titles.map((title) => titleCard(title)),
    data.key,
  );
}

/** Home: the featured banner, the profile's rows, My List, then the shared rows. */
export async function homePage(context: RouteContext): Promise<void> {
  const { main } = context;
  render(main, loading("Loading your home…"));
  try {
    const [home, list] = await Promise.all([
      api.GET("/api/media/home").then(unwrap),
      currentProfile()
        ? api
            .GET("/api/social/list", { params: { query: { page_size: 20 } } })
            .then(unwrap)
            .catch(() => null)
        : Promise.resolve(null),
    ]);
    const rows = home.rows;
    const featuredRow = rows.find((r) => r.key === "featured");
    const candidates = featuredRow?.titles.length ? featuredRow.titles : rows.flatMap((r) => r.titles);
    const featured = candidates.find((t) => t.playable) ?? candidates[0];
    const personal = rows.filter((r) => r.items?.length);
    const others = rows.filter((r) => !r.items?.length);
    const myList = list?.items.length
      ? cardRow(
          "My List",
          list.items.map((t) => titleCard(t)),
          "my_list",
        )
      : null;
    const rendered = [...personal.map(row), myList, ...others.map(row)].filter((r): r is HTMLElement => r !== null);
    render(
      main,
      featured ? banner(featured) : null,
      rendered.length
        ? h("div", { class: "rows" }, rendered)
        : empty(
            "Nothing to watch yet: the catalog is empty. Publish titles in the admin.",
            h("a", { href: "/admin/", class: "button" }, "Open the admin"),
          ),
    );
  } catch (error) {
    render(
      main,
      failure(error, () => void homePage(context)),
    );
  }
}
