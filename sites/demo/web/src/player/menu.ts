import { h, render } from "../dom";

export interface MenuOption {
  label: string;
  value: string;
}

/** A control-bar menu button with a radio list (keyboard: Enter/Space opens, arrows move, Escape closes). */
export function menu(
  label: string,
  id: string,
  glyph: Node,
  onChoose: (value: string) => void,
): {
  element: HTMLElement;
  setOptions: (options: MenuOption[], selected: string) => void;
  select: (value: string) => void;
} {
  const button = h(
    "button",
    {
      type: "button",
      class: "control",
      id: `${id}-button`,
      "aria-haspopup": "true",
      "aria-expanded": "false",
      "aria-controls": `${id}-list`,
      "aria-label": label,
      title: label,
    },
    glyph,
    h("span", { class: "control-label" }, label),
  );
  const list = h("ul", { class: "menu-list", id: `${id}-list`, role: "menu", "aria-label": label, hidden: true });
  let selected = "";
  let options: MenuOption[] = [];
  const close = () => {
    list.hidden = true;
    button.setAttribute("aria-expanded", "false");
  };
  const paint = () =>
    render(
      list,
      options.map((option) =>
        h(
          "li",
          { role: "none" },
          h(
            "button",
            {
              type: "button",
              role: "menuitemradio",
              "aria-checked": String(option.value === selected),
              "data-value": option.value,
              onclick: () => {
                selected = option.value;
                paint();
                close();
                button.focus();
                onChoose(option.value);
              },
            },
            option.label,
          ),
        ),
      ),
    );
  button.addEventListener("click", () => {
    const open = list.hidden;
    list.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) list.querySelector<HTMLButtonElement>('[aria-checked="true"], button')?.focus();
  });
  list.addEventListener("keydown", (event) => {
    const items = [...list.querySelectorAll<HTMLButtonElement>("button")];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === "Escape") {
      event.stopPropagation();
      close();
      button.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      event.stopPropagation();
      const next = (at + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items[next]?.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!list.hidden && !button.parentElement?.contains(event.target as Node)) close();
  });
  const element = h("div", { class: "menu", hidden: true }, button, list);
  return {
    element,
    setOptions: (next, value) => {
      options = next;
      selected = value;
      element.hidden = next.length < 2;
      paint();
    },
    select: (value) => {
      selected = value;
      paint();
    },
  };
}
