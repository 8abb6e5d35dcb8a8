import { api } from "../api/client";
import { unwrap } from "../api/errors";
import { h, render } from "../dom";
import { navigate, type RouteContext } from "../router";
import { field, panel, value } from "../ui/forms";
import { busy, failure, formMessage } from "../ui/states";

/** The page a password reset email links to. */
export function resetPasswordPage({ main, query }: RouteContext): void {
  const uid = query.get("uid") ?? "";
  const token = query.get("token") ?? "";
  if (!uid || !token) {
    render(
      main,
      panel(
        "Choose a new password",
        failure(new Error("This link is incomplete: open the whole link from the email.")),
        h("a", { href: "/forgot-password" }, "Ask for a new link"),
      ),
    );
    return;
  }
  const message = formMessage();
  const form = h(
    "form",
    { class: "stack" },
    field("New password", "new_password", {
      type: "password",
      autocomplete: "new-password",
      required: true,
      minlength: 8,
    }),
    message.element,
    h("button", { type: "submit", class: "button primary" }, "Set password"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      unwrap(
        await busy(form, () =>
          api.POST("/api/auth/password/reset/confirm", {
            body: { uid, token, new_password: value(form, "new_password") },
          }),
        ),
      );
      navigate("/signin?reset=1", { replace: true });
    } catch (error) {
      message.error(error);
    }
  });
  render(main, panel("Choose a new password", form));
}
