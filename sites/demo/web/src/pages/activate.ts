import { api } from "../api/client";
import { unwrap } from "../api/errors";
import { h, render } from "../dom";
import type { RouteContext } from "../router";
import { panel } from "../ui/forms";
import { failure, loading } from "../ui/states";

/** The page an activation email links to: posts the link's uid and token. */
export async function activatePage({ main, query }: RouteContext): Promise<void> {
  const uid = query.get("uid") ?? "";
  const token = query.get("token") ?? "";
  if (!uid || !token) {
    render(
      main,
      panel(
        "Activate your account",
        failure(new Error("This link is incomplete: open the whole link from the email.")),
      ),
    );
    return;
  }
  render(main, panel("Activate your account", loading("Activating…")));
  try {
    const done = unwrap(await api.POST("/api/auth/activate", { body: { uid, token } }));
    render(
      main,
      panel(
        "Account activated",
        h("p", {}, done.detail),
        h("p", {}, h("a", { href: "/signin?activated=1", class: "button primary" }, "Sign in")),
      ),
    );
  } catch (error) {
    render(
      main,
      panel(
        "Activate your account",
        failure(error),
        h(
          "p",
          { class: "muted" },
          "Links work once and expire. ",
          h("a", { href: "/signin" }, "Sign in"),
          " or register again to get a new one.",
        ),
      ),
    );
  }
}
