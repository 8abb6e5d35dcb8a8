import { api } from "../api/client";
import { unwrap } from "../api/errors";
import type { Title } from "../api/types";
import { h } from "../dom";
import { formMessage } from "../ui/states";

/** Like, My List and the 1–5 star rating of a title, for the current profile. */
export function titleActions(title: Title): HTMLElement {
  const message = formMessage();
  const slug = title.slug;
  let liked = Boolean(title.liked);
  let inList = Boolean(title.in_list);
  let myRating = title.my_rating ?? 0;

  const likeButton = h("button", { type: "button", class: "button", "aria-pressed": String(liked) });
  const listButton = h("button", { type: "button", class: "button", "aria-pressed": String(inList) });
  const summary = h("span", { class: "muted rating-summary" });
  const stars = [1, 2, 3, 4, 5].map((n) =>
    h("button", { type: "button", class: "star", "aria-label": `Rate ${n} of 5`, "data-stars": n }, "★"),
  );

  const paint = (likes: number, average: number, count: number) => {
    likeButton.textContent = liked ? `♥ Liked (${likes})` : `♡ Like (${likes})`;
    likeButton.setAttribute("aria-pressed", String(liked));
    listButton.textContent = inList ? "✓ My List" : "+ My List";
    listButton.setAttribute("aria-pressed", String(inList));
    stars.forEach((star, i) => {
      star.classList.toggle("on", i < myRating);
      star.setAttribute("aria-pressed", String(i < myRating));
    });
    summary.textContent = count
      ? `${average.toFixed(1)} ★ from ${count} rating${count === 1 ? "" : "s"}`
      : "No ratings yet";
  };
  let likes = title.likes;
  let average = title.rating_average;
  let count = title.rating_count;
  paint(likes, average, count);

  const act = async (work: () => Promise<void>) => {
    message.clear();
    try {
      await work();
      paint(likes, average, count);
    } catch (error) {
      message.error(error);
    }
  };
  likeButton.addEventListener("click", () =>
    act(async () => {
      const path = { params: { path: { slug } } };
      const out = unwrap(
        liked
          ? await api.DELETE("/api/social/titles/{slug}/like", path)
          : await api.PUT("/api/social/titles/{slug}/like", path),
      );
      liked = out.liked;
      likes = out.likes;
    }),
  );
  listButton.addEventListener("click", () =>
    act(async () => {
      const path = { params: { path: { slug } } };
      const out = unwrap(
        inList
          ? await api.DELETE("/api/social/titles/{slug}/list", path)
          : await api.PUT("/api/social/titles/{slug}/list", path),
      );
      inList = out.in_list;
    }),
  );
  stars.forEach((star, i) =>
    star.addEventListener("click", () =>
      act(async () => {
        const path = { params: { path: { slug } } };
        const out = unwrap(
          myRating === i + 1
            ? await api.DELETE("/api/social/titles/{slug}/rating", path)
            : await api.PUT("/api/social/titles/{slug}/rating", { ...path, body: { rating: i + 1 } }),
        );
        myRating = out.my_rating ?? 0;
        average = out.rating_average;
        count = out.rating_count;
      }),
    ),
  );
  const element = h(
    "div",
    { class: "title-actions" },
    likeButton,
    listButton,
    h("div", { class: "stars", role: "group", "aria-label": "Your rating" }, stars),
    summary,
    message.element,
  );
  // counters pushed by the title's socket
  element.addEventListener("counters", ((
    event: CustomEvent<{ likes: number; rating_average: number; rating_count: number }>,
  ) => {
    likes = event.detail.likes;
    average = event.detail.rating_average;
    count = event.detail.rating_count;
    paint(likes, average, count);
  }) as EventListener);
  return element;
}
