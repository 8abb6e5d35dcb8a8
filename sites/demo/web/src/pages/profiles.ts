import { api } from "../api/client";
import { ApiError, unwrap } from "../api/errors";
import type { Profile } from "../api/types";
import { h, render } from "../dom";
import { navigate, ownPath, type RouteContext } from "../router";
import { switchProfile } from "../session";
import { busy, empty, failure, formMessage, loading } from "../ui/states";

/** The profile's picture when its avatar is an image URL, else its initial. (An avatar may
 * also be a key of some client's own set; this app has none, so it shows the initial.) */
function avatar(profile: Profile): HTMLElement {
  const isImage = /^(https?:\/\/|\/)/.test(profile.avatar);
  return h(
    "span",
    { class: `avatar${profile.is_kids ? " kids" : ""}`, "aria-hidden": "true" },
    isImage ? h("img", { src: profile.avatar, alt: "" }) : profile.name.slice(0, 1).toUpperCase(),
  );
}

/** "Who's watching?": pick a profile, with its PIN when it has one. */
export async function profilesPage({ main, query }: RouteContext): Promise<void> {
  const next = ownPath(query.get("next"));
  render(main, loading("Loading profiles…"));
  let profiles: Profile[];
  try {
    profiles = unwrap(await api.GET("/api/profiles", { params: { query: { page_size: 50 } } })).items;
  } catch (error) {
    render(
      main,
      failure(error, () => void profilesPage({ main, query, params: {} })),
    );
    return;
  }
  if (!profiles.length) {
    render(
      main,
      h("h1", { class: "page-title" }, "Who's watching?"),
      empty(
        "This account has no profile yet, so there is nothing to watch as.",
        h("a", { href: "/account", class: "button" }, "Your account"),
      ),
    );
    return;
  }
  const pinArea = h("div", { class: "pin-area" });
  const choose = async (profile: Profile) => {
    if (profile.has_pin) {
      askPin(profile);
      return;
    }
    try {
      await switchProfile(profile, null);
      navigate(next, { replace: true });
    } catch (error) {
      render(pinArea, failure(error));
    }
  };
  const askPin = (profile: Profile) => {
    const message = formMessage();
    const form = h(
      "form",
      { class: "stack pin-form" },
      h("label", { for: "profile-pin" }, `Enter ${profile.name}'s PIN`),
      h("input", {
        id: "profile-pin",
        name: "pin",
        type: "password",
        inputmode: "numeric",
        pattern: "[0-9]{4}",
        maxlength: 4,
        autocomplete: "off",
        required: true,
      }),
      message.element,
      h("button", { type: "submit", class: "button primary" }, "Continue"),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const pin = (form.elements.namedItem("pin") as HTMLInputElement).value;
      try {
        await busy(form, () => switchProfile(profile, pin));
        navigate(next, { replace: true });
      } catch (error) {
        message.error(
          error instanceof ApiError && error.code === "invalid_pin" ? new Error("That PIN is not right.") : error,
        );
      }
    });
    render(pinArea, form);
    form.querySelector("input")?.focus();
  };
  render(
    main,
    h(
      "section",
      { class: "profiles" },
      h("h1", {}, "Who's watching?"),
      h(
        "ul",
        { class: "profile-list" },
        profiles.map((profile) =>
          h(
            "li",
            {},
            h(
              "button",
              {
                type: "button",
                class: "profile-button",
                "data-profile": profile.name,
                onclick: () => void choose(profile),
              },
              avatar(profile),
              h("span", {}, profile.name),
              profile.has_pin ? h("small", {}, "PIN") : profile.is_kids ? h("small", {}, "Kids") : null,
            ),
          ),
        ),
      ),
      pinArea,
    ),
  );
}
