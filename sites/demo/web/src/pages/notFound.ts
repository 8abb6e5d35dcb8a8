import { h, render } from "../dom";
import type { RouteContext } from "../router";
import { empty } from "../ui/states";

export function notFoundPage({ main }: RouteContext): void {
  render(
    main,
    h("h1", { class: "page-title" }, "Page not found"),
    empty("There is nothing at this address.", h("a", { href: "/", class: "button" }, "Home")),
  );
}
