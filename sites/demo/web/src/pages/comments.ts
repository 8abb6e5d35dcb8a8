import { api } from "../api/client";
import { unwrap } from "../api/errors";
import type { Comment } from "../api/types";
import { formatDate, h, render } from "../dom";
import { busy, empty, failure, formMessage, loading } from "../ui/states";

interface LiveEvent {
  type: string;
  likes?: number;
  rating_average?: number;
  rating_count?: number;
}

type Reply = Omit<Comment, "replies"> & { replies?: Comment["replies"] };

function commentItem(comment: Reply): HTMLElement {
  return h(
    "li",
    { class: "comment", "data-comment": comment.id },
    h(
      "div",
      { class: "meta" },
      h("strong", {}, comment.author.name),
      h("small", { class: "muted" }, formatDate(comment.created_at)),
      comment.edited_at ? h("small", { class: "muted" }, "(edited)") : null,
    ),
    h("p", { class: comment.removed ? "muted" : "" }, comment.removed ? "This comment was removed." : comment.text),
    comment.replies?.length ? h("ul", { class: "replies" }, comment.replies.map(commentItem)) : null,
  );
}

/** A title's comments, live: a socket on /ws/social/titles/<slug>/ (one-time ticket) tells
 * this page when a comment is posted, edited or removed, and when the counters change. */
export function commentsSection(slug: string, counters: HTMLElement): { element: HTMLElement; close: () => void } {
  const list = h("div", {});
  const status = h("small", { class: "live-status muted", "aria-live": "polite" }, "Connecting…");
  const message = formMessage();
  const form = h(
    "form",
    { class: "stack comment-form" },
    h("label", { for: "comment-text" }, "Add a comment"),
    h("textarea", { id: "comment-text", name: "text", rows: 2, required: true, maxlength: 2000 }),
    h("div", { class: "inline" }, h("button", { type: "submit", class: "button" }, "Post comment"), status),
    message.element,
  );
  let closed = false;
  let socket: WebSocket | null = null;
  let retry = 1000;
  let timer: number | undefined;

  const load = async (quiet = false) => {
    if (!quiet) render(list, loading("Loading comments…"));
    try {
      const page = unwrap(
        await api.GET("/api/social/titles/{slug}/comments", { params: { path: { slug }, query: { page_size: 50 } } }),
      );
      if (!closed)
        render(
          list,
          page.items.length ? h("ul", { class: "comments" }, page.items.map(commentItem)) : empty("No comments yet."),
        );
    } catch (error) {
      if (!closed)
        render(
          list,
          failure(error, () => void load()),
        );
    }
  };

  // One reload for a burst of events, at a moment that differs from browser to browser: a
  // room of many sockets must not send the list request all at once on every comment.
  let reload: number | undefined;
  const reloadSoon = () => {
    if (reload !== undefined || closed) return;
    reload = window.setTimeout(
      () => {
        reload = undefined;
        void load(true);
      },
      150 + Math.random() * 850,
    );
  };

  const connect = async () => {
    if (closed) return;
    try {
      const { ticket } = unwrap(await api.POST("/api/social/ws-ticket"));
      if (closed) return;
      const scheme = window.location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(
        `${scheme}://${window.location.host}/ws/social/titles/${encodeURIComponent(slug)}/?ticket=${encodeURIComponent(ticket)}`,
      );
    } catch {
      status.textContent = "Live updates are off.";
      return;
    }
    socket.addEventListener("open", () => {
      retry = 1000;
      status.textContent = "● Live";
      status.classList.add("on");
    });
    socket.addEventListener("message", (event) => {
      let data: LiveEvent;
      try {
        data = JSON.parse(String(event.data)) as LiveEvent;
      } catch {
        return;
      }
      if (typeof data.type !== "string") return;
      if (data.type.startsWith("comment.")) reloadSoon();
      else if (data.type === "counters") counters.dispatchEvent(new CustomEvent("counters", { detail: data }));
    });
    socket.addEventListener("close", (event) => {
      status.classList.remove("on");
      if (closed) return;
      // 4403/4404: not allowed or no such title; do not retry
      if (event.code === 4403 || event.code === 4404) {
        status.textContent = "Live updates are off.";
        return;
      }
      status.textContent = "Reconnecting…";
      timer = window.setTimeout(() => void connect(), retry);
      retry = Math.min(retry * 2, 30000);
    });
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const textarea = form.elements.namedItem("text") as HTMLTextAreaElement;
    try {
      unwrap(
        await busy(form, () =>
          api.POST("/api/social/titles/{slug}/comments", {
            params: { path: { slug } },
            body: { text: textarea.value, parent_id: null, position: null },
          }),
        ),
      );
      form.reset();
      message.clear();
      await load(true);
    } catch (error) {
      message.error(error);
    }
  });

  void load();
  void connect();
  return {
    element: h(
      "section",
      { class: "comments-section", "aria-labelledby": "comments-heading" },
      h("h2", { id: "comments-heading" }, "Comments"),
      form,
      list,
    ),
    close: () => {
      closed = true;
      window.clearTimeout(reload);
      window.clearTimeout(timer);
      socket?.close(1000);
    },
  };
}
