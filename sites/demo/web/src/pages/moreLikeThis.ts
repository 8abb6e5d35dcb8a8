import { api } from "../api/client";
import { unwrap } from "../api/errors";
import { h, render } from "../dom";
import { loading } from "../ui/states";
import { cardRow, titleCard } from "../ui/titleCard";

/** "More like this" under a title; nothing at all when there is nothing to suggest. */
export function moreLikeThis(slug: string): HTMLElement {
  const section = h("div", { class: "more-like-this" }, loading("Finding similar titles…"));
  void api
    .GET("/api/social/titles/{slug}/more-like-this", { params: { path: { slug } } })
    .then(unwrap)
    .then(
      (similar) =>
        render(
          section,
          similar.items.length
            ? cardRow(
                "More like this",
                similar.items.map((t) => titleCard(t)),
                "more_like_this",
              )
            : null,
        ),
      // a suggestion row is optional: its failure leaves the rest of the page as it is
      () => render(section),
    );
  return section;
}
