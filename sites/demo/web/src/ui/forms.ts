import { h } from "../dom";

let fieldCount = 0;

/** A labelled input. */
export function field(label: string, name: string, attrs: Record<string, string | number | boolean> = {}): HTMLElement {
  const id = `field-${name}-${++fieldCount}`;
  return h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, name, ...attrs }));
}

export function value(form: HTMLFormElement, name: string): string {
  const input = form.elements.namedItem(name);
  return input instanceof HTMLInputElement || input instanceof HTMLTextAreaElement || input instanceof HTMLSelectElement
    ? input.value
    : "";
}

/** A centered card page with a heading (the sign-in family of pages). */
export function panel(title: string, ...children: (Node | string | null)[]): HTMLElement {
  return h("section", { class: "panel" }, h("h1", {}, title), ...children);
}
