import { api } from "../api/client";
import { unwrap } from "../api/errors";
import { h, render } from "../dom";
import type { RouteContext } from "../router";
import { field, panel, value } from "../ui/forms";
import { busy, formMessage } from "../ui/states";

export function forgotPasswordPage({ main }: RouteContext): void {
  const message = formMessage();
  const form = h(
    "form",
    { class: "stack" },
    field("Email", "email", { type: "email", autocomplete: "email", required: true }),
    message.element,
    h("button", { type: "submit", class: "button primary" }, "Email me a link"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const sent = unwrap(
        await busy(form, () => api.POST("/api/auth/password/reset", { body: { email: value(form, "email").trim() } })),
      );
      message.notice(sent.detail);
    } catch (error) {
      message.error(error);
    }
  });
  render(
    main,
    panel("Reset your password", form, h("p", { class: "muted" }, h("a", { href: "/signin" }, "Back to sign in"))),
  );
}
