import { h, render } from "../dom";
import { navigate, type RouteContext } from "../router";
import { signIn } from "../session";
import { field, panel, value } from "../ui/forms";
import { busy, formMessage } from "../ui/states";

export function signinPage({ main, query }: RouteContext): void {
  const message = formMessage();
  if (query.get("activated")) message.notice("Your account is active: sign in.");
  if (query.get("reset")) message.notice("Your password is changed: sign in with it.");
  const form = h(
    "form",
    { class: "stack", novalidate: false },
    field("Email", "email", { type: "email", autocomplete: "email", required: true }),
    field("Password", "password", { type: "password", autocomplete: "current-password", required: true }),
    message.element,
    h("button", { type: "submit", class: "button primary" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.clear();
    try {
      await busy(form, () => signIn(value(form, "email").trim(), value(form, "password")));
      navigate(`/profiles${query.get("next") ? `?next=${encodeURIComponent(query.get("next") ?? "/")}` : ""}`, {
        replace: true,
      });
    } catch (error) {
      message.error(error);
    }
  });
  render(
    main,
    panel(
      "Sign in",
      form,
      h("p", { class: "muted" }, h("a", { href: "/forgot-password" }, "Forgot your password?")),
      h("p", { class: "muted" }, "New to Streamflix? ", h("a", { href: "/register" }, "Create an account"), "."),
    ),
  );
}
