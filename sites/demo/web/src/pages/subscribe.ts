import { api } from "../api/client";
import { unwrap } from "../api/errors";
import type { Plan } from "../api/types";
import { currentSubscription } from "../billing";
import { formatMoney, h, render } from "../dom";
import type { RouteContext } from "../router";
import { empty, failure, formMessage, loading } from "../ui/states";

function planCard(
  plan: Plan,
  choose: (plan: Plan, button: HTMLButtonElement) => void,
  isCurrent: boolean,
): HTMLElement {
  const button = h(
    "button",
    { type: "button", class: "button primary", "data-plan": plan.slug, disabled: isCurrent },
    isCurrent ? "Your plan" : `Choose ${plan.name}`,
  );
  button.addEventListener("click", () => choose(plan, button));
  return h(
    "li",
    { class: "plan" },
    h("h2", {}, plan.name),
    h("p", { class: "price" }, formatMoney(plan.price_amount, plan.currency), h("small", {}, ` / ${plan.interval}`)),
    plan.trial_days ? h("p", { class: "muted" }, `${plan.trial_days}-day free trial`) : null,
    h("p", {}, plan.description),
    h(
      "ul",
      { class: "features" },
      h("li", {}, `Up to ${plan.max_video_height}p`),
      h("li", {}, `${plan.max_concurrent_streams} stream${plan.max_concurrent_streams === 1 ? "" : "s"} at once`),
      h("li", {}, `${plan.max_profiles} profiles`),
      plan.features.map((f) => h("li", {}, String(f))),
    ),
    button,
  );
}

/** Plans, and checkout through the billing gateway (the demo's local gateway, or Stripe). */
export async function subscribePage(context: RouteContext): Promise<void> {
  const { main, query } = context;
  render(main, loading("Loading plans…"));
  const message = formMessage();
  if (query.get("checkout") === "cancel") message.notice("Checkout canceled: nothing was charged.");
  let plans: Plan[];
  let current: string | null = null;
  try {
    const [listed, subscription] = await Promise.all([api.GET("/api/billing/plans"), currentSubscription()]);
    plans = unwrap(listed);
    if (subscription && !["canceled", "expired", "incomplete"].includes(subscription.status)) {
      current = subscription.plan.slug;
    }
  } catch (error) {
    render(
      main,
      failure(error, () => void subscribePage(context)),
    );
    return;
  }
  const choose = async (plan: Plan, button: HTMLButtonElement) => {
    button.disabled = true;
    message.clear();
    try {
      const checkout = unwrap(await api.POST("/api/billing/checkout", { body: { plan: plan.slug, promo_code: null } }));
      window.location.assign(checkout.url);
    } catch (error) {
      message.error(error);
      button.disabled = false;
    }
  };
  render(
    main,
    h("h1", { class: "page-title" }, "Choose your plan"),
    message.element,
    current
      ? h(
          "p",
          { class: "notice-box" },
          "You already have a subscription: change or cancel it from ",
          h("a", { href: "/account" }, "your account"),
          ".",
        )
      : null,
    plans.length
      ? h(
          "ul",
          { class: "plans" },
          plans.map((p) => planCard(p, choose, p.slug === current)),
        )
      : empty("No plans are on sale yet."),
  );
}
