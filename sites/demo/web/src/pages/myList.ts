import { api } from "../api/client";
import { unwrap } from "../api/errors";
import { h, render } from "../dom";
import type { RouteContext } from "../router";
import { empty, failure, loading } from "../ui/states";
import { titleCard } from "../ui/titleCard";

export async function myListPage(context: RouteContext): Promise<void> {
  const { main } = context;
  render(main, loading("Loading My List…"));
  try {
    const list = unwrap(await api.GET("/api/social/list", { params: { query: { page_size: 100 } } }));
    render(
      main,
      h("h1", { class: "page-title" }, "My List"),
      list.items.length
        ? h(
            "div",
            { class: "grid" },
            list.items.map((t) => titleCard(t)),
          )
        : empty(
            "Your list is empty. Add titles with “+ My List” on a title's page.",
            h("a", { href: "/", class: "button" }, "Browse"),
          ),
    );
  } catch (error) {
    render(
      main,
      failure(error, () => void myListPage(context)),
    );
  }
}
