import { api } from "../api/client";
import { unwrap } from "../api/errors";
import { h, render } from "../dom";
import type { RouteContext } from "../router";
import { field, panel, value } from "../ui/forms";
import { busy, formMessage } from "../ui/states";

export function registerPage({ main }: RouteContext): void {
  const message = formMessage();
  const form = h(
    "form",
    { class: "stack" },
    field("Your name", "display_name", { autocomplete: "name", maxlength: 150 }),
    field("Email", "email", { type: "email", autocomplete: "email", required: true }),
    field("Password", "password", { type: "password", autocomplete: "new-password", required: true, minlength: 8 }),
    field("Password again", "password_confirm", { type: "password", autocomplete: "new-password", required: true }),
    message.element,
    h("button", { type: "submit", class: "button primary" }, "Create account"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.clear();
    if (value(form, "password") !== value(form, "password_confirm")) {
      message.error(new Error("The two passwords differ."));
      return;
    }
    try {
      const registered = unwrap(
        await busy(form, () =>
          api.POST("/api/auth/register", {
            body: {
              email: value(form, "email").trim(),
              password: value(form, "password"),
              password_confirm: value(form, "password_confirm"),
              display_name: value(form, "display_name").trim(),
            },
          }),
        ),
      );
      render(
        main,
        panel(
          "Check your email",
          h(
            "p",
            {},
            registered.email_verification_required
              ? `We sent a link to ${registered.email}. Open it to activate your account, then sign in.`
              : `Your account ${registered.email} is ready.`,
          ),
          h("p", {}, h("a", { href: "/signin", class: "button primary" }, "Sign in")),
        ),
      );
    } catch (error) {
      message.error(error);
    }
  });
  render(
    main,
    panel(
      "Create your account",
      form,
      h("p", { class: "muted" }, "Already have one? ", h("a", { href: "/signin" }, "Sign in"), "."),
    ),
  );
}
