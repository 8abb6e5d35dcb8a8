import { api } from "../api/client";
import { unwrap } from "../api/errors";
import type { ActiveSession, Payment } from "../api/types";
import { currentSubscription } from "../billing";
import { formatDate, formatMoney, h, render } from "../dom";
import type { RouteContext } from "../router";
import { currentUser } from "../session";
import { empty, failure, formMessage, loading } from "../ui/states";

function section(title: string, id: string, body: HTMLElement): HTMLElement {
  return h("section", { class: "account-section", "aria-labelledby": id }, h("h2", { id }, title), body);
}

function planSection(refresh: () => void): HTMLElement {
  const body = h("div", {}, loading());
  const message = formMessage();
  void currentSubscription().then(
    (subscription) => {
      if (!subscription) {
        render(
          body,
          empty("You have no subscription.", h("a", { href: "/subscribe", class: "button primary" }, "See plans")),
        );
        return;
      }
      const act = async (action: "cancel" | "resume") => {
        try {
          unwrap(
            action === "cancel"
              ? await api.POST("/api/billing/me/subscription/cancel")
              : await api.POST("/api/billing/me/subscription/resume"),
          );
          refresh();
        } catch (error) {
          message.error(error);
        }
      };
      const portal = async () => {
        try {
          window.location.assign(unwrap(await api.POST("/api/billing/portal")).url);
        } catch (error) {
          message.error(error);
        }
      };
      render(
        body,
        h(
          "p",
          { class: "plan-line" },
          h("strong", {}, subscription.plan.name),
          ` · ${formatMoney(subscription.plan.price_amount, subscription.plan.currency)} / ${subscription.plan.interval} · `,
          h("span", { class: `badge ${subscription.status}` }, subscription.status),
        ),
        h(
          "p",
          { class: "muted" },
          subscription.cancel_at_period_end
            ? `Ends on ${formatDate(subscription.current_period_end)}.`
            : `Renews on ${formatDate(subscription.current_period_end)}.`,
        ),
        h(
          "div",
          { class: "actions" },
          subscription.cancel_at_period_end
            ? h(
                "button",
                { type: "button", class: "button primary", onclick: () => void act("resume") },
                "Resume subscription",
              )
            : h(
                "button",
                { type: "button", class: "button", onclick: () => void act("cancel") },
                "Cancel subscription",
              ),
          h("button", { type: "button", class: "button", onclick: () => void portal() }, "Billing portal"),
        ),
        message.element,
      );
    },
    (error) => render(body, failure(error, refresh)),
  );
  return section("Plan", "plan-heading", body);
}

function paymentsSection(): HTMLElement {
  const body = h("div", {}, loading());
  void api.GET("/api/billing/me/payments", { params: { query: { page_size: 20 } } }).then(
    (result) => {
      try {
        const payments: Payment[] = unwrap(result).items;
        render(
          body,
          payments.length
            ? h(
                "table",
                { class: "table" },
                h(
                  "thead",
                  {},
                  h(
                    "tr",
                    {},
                    h("th", {}, "Date"),
                    h("th", {}, "Description"),
                    h("th", {}, "Amount"),
                    h("th", {}, "Status"),
                  ),
                ),
                h(
                  "tbody",
                  {},
                  payments.map((p) =>
                    h(
                      "tr",
                      {},
                      h("td", {}, formatDate(p.paid_at ?? p.created_at)),
                      h("td", {}, p.description || p.purpose),
                      h("td", {}, formatMoney(p.amount, p.currency)),
                      h("td", {}, p.status),
                    ),
                  ),
                ),
              )
            : empty("No payments yet."),
        );
      } catch (error) {
        render(body, failure(error));
      }
    },
    (error: unknown) => render(body, failure(error)),
  );
  return section("Payments", "payments-heading", body);
}

function streamsSection(): HTMLElement {
  const body = h("div", {});
  const load = async () => {
    render(body, loading());
    try {
      const sessions: ActiveSession[] = unwrap(await api.GET("/api/media/sessions"));
      render(
        body,
        sessions.length
          ? h(
              "ul",
              { class: "sessions" },
              sessions.map((s) =>
                h(
                  "li",
                  {},
                  h(
                    "span",
                    {},
                    h("strong", {}, s.title),
                    s.episode ? ` · ${s.episode}` : "",
                    h("br", {}),
                    h("small", { class: "muted" }, `${s.profile} on ${s.device}, since ${formatDate(s.since)}`),
                  ),
                  h(
                    "button",
                    {
                      type: "button",
                      class: "button",
                      "aria-label": `Stop ${s.title} on ${s.device}`,
                      onclick: async () => {
                        await api.DELETE("/api/media/sessions/{session_id}", {
                          params: { path: { session_id: s.id } },
                        });
                        void load();
                      },
                    },
                    "Stop",
                  ),
                ),
              ),
            )
          : empty("Nothing is playing on your account."),
      );
    } catch (error) {
      render(
        body,
        failure(error, () => void load()),
      );
    }
  };
  void load();
  return section("Active streams", "streams-heading", body);
}

/** The account: who, plan (cancel / resume / portal), payments, active streams. */
export function accountPage(context: RouteContext): void {
  const { main, query } = context;
  const user = currentUser();
  const notice = formMessage();
  if (query.get("checkout") === "success") notice.notice("Thanks! Your subscription is active.");
  const refresh = () => accountPage({ ...context, query: new URLSearchParams() });
  render(
    main,
    h("h1", { class: "page-title" }, "Account"),
    notice.element,
    user
      ? h(
          "p",
          { class: "muted" },
          `${user.display_name || user.email} · ${user.email}${user.email_verified ? "" : " (not verified)"}`,
        )
      : null,
    planSection(refresh),
    streamsSection(),
    paymentsSection(),
    h(
      "p",
      { class: "muted" },
      "Developers: ",
      h("a", { href: "/api/docs" }, "API docs"),
      " · ",
      h("a", { href: "/admin/" }, "Admin"),
    ),
  );
}
