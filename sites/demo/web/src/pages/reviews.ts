import { api } from "../api/client";
import { unwrap } from "../api/errors";
import type { Review } from "../api/types";
import { formatDate, h, render } from "../dom";
import { busy, empty, failure, formMessage, loading } from "../ui/states";

function reviewItem(review: Review): HTMLElement {
  const text = h("p", {}, review.text);
  const body = review.spoiler ? h("details", {}, h("summary", {}, "Contains spoilers: show"), text) : text;
  return h(
    "li",
    { class: "review" },
    h(
      "div",
      { class: "meta" },
      h("strong", {}, review.author.name),
      review.rating ? h("span", { "aria-label": `${review.rating} of 5` }, "★".repeat(review.rating)) : null,
      h("small", { class: "muted" }, formatDate(review.created_at)),
    ),
    body,
    h("small", { class: "muted" }, `${review.helpful_count} found this helpful`),
  );
}

/** A title's reviews, newest first, and a form to write one. */
export function reviewsSection(slug: string): HTMLElement {
  const list = h("div", {});
  const message = formMessage();
  const form = h(
    "form",
    { class: "stack review-form" },
    h("label", { for: "review-text" }, "Write a review"),
    h("textarea", { id: "review-text", name: "text", rows: 3, required: true, maxlength: 5000 }),
    h(
      "div",
      { class: "inline" },
      h("label", { for: "review-rating" }, "Stars"),
      h(
        "select",
        { id: "review-rating", name: "rating" },
        h("option", { value: "" }, "—"),
        [5, 4, 3, 2, 1].map((n) => h("option", { value: n }, "★".repeat(n))),
      ),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "spoiler" }), "Spoilers"),
      h("button", { type: "submit", class: "button" }, "Post review"),
    ),
    message.element,
  );
  const load = async () => {
    render(list, loading("Loading reviews…"));
    try {
      const page = unwrap(
        await api.GET("/api/social/titles/{slug}/reviews", { params: { path: { slug }, query: { page_size: 20 } } }),
      );
      render(
        list,
        page.items.length
          ? h("ul", { class: "reviews" }, page.items.map(reviewItem))
          : empty("No reviews yet. Be the first."),
      );
    } catch (error) {
      render(
        list,
        failure(error, () => void load()),
      );
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const rating = String(data.get("rating") ?? "");
    try {
      unwrap(
        await busy(form, () =>
          api.POST("/api/social/titles/{slug}/reviews", {
            params: { path: { slug } },
            body: {
              text: String(data.get("text") ?? ""),
              rating: rating ? Number(rating) : null,
              spoiler: data.get("spoiler") === "on",
            },
          }),
        ),
      );
      form.reset();
      message.notice("Thanks for your review.");
      await load();
    } catch (error) {
      message.error(error);
    }
  });
  void load();
  return h(
    "section",
    { class: "reviews-section", "aria-labelledby": "reviews-heading" },
    h("h2", { id: "reviews-heading" }, "Reviews"),
    form,
    list,
  );
}
