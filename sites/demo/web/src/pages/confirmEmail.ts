import { api } from "../api/client";
import { unwrap } from "../api/errors";
import { h, render } from "../dom";
import type { RouteContext } from "../router";
import { panel } from "../ui/forms";
import { failure, loading } from "../ui/states";

/** The page an email-change confirmation links to. */
export async function confirmEmailPage({ main, query }: RouteContext): Promise<void> {
  const token = query.get("token") ?? "";
  if (!token) {
    render(
      main,
      panel("Confirm your email", failure(new Error("This link is incomplete: open the whole link from the email."))),
    );
    return;
  }
  render(main, panel("Confirm your email", loading("Confirming…")));
  try {
    const done = unwrap(await api.POST("/api/me/email/confirm", { body: { token } }));
    render(
      main,
      panel(
        "Email confirmed",
        h("p", {}, done.detail),
        h("p", {}, h("a", { href: "/", class: "button primary" }, "Continue")),
      ),
    );
  } catch (error) {
    render(main, panel("Confirm your email", failure(error)));
  }
}
