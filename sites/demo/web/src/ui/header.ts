import { h, render } from "../dom";
import { navigate } from "../router";
import { currentProfile, currentUser, signOut } from "../session";

/** The top bar: brand, main links, search, and who is watching. */
export function renderHeader(container: HTMLElement): void {
  const user = currentUser();
  const profile = currentProfile();
  const path = window.location.pathname;
  const link = (href: string, label: string) => h("a", { href, "aria-current": path === href ? "page" : null }, label);
  const signedIn = user
    ? [
        h(
          "nav",
          { class: "main-nav", "aria-label": "Main" },
          link("/", "Home"),
          link("/my-list", "My List"),
          link("/search", "Search"),
          // account pages need the account's own session: a kids profile gets 403 there
          profile?.is_kids ? null : link("/account", "Account"),
        ),
        h(
          "div",
          { class: "header-end" },
          profile
            ? h("a", { href: "/profiles", class: "profile-chip", title: "Switch profile" }, profile.name)
            : link("/profiles", "Choose profile"),
          h(
            "button",
            {
              type: "button",
              class: "link-button",
              onclick: async () => {
                await signOut();
                navigate("/signin");
              },
            },
            "Sign out",
          ),
        ),
      ]
    : [h("div", { class: "header-end" }, link("/signin", "Sign in"), link("/register", "Register"))];
  render(container, h("a", { href: "/", class: "brand", "aria-label": "Streamflix home" }, "STREAMFLIX"), ...signedIn);
}
