import { errorMessage } from "../api/errors";
import { h } from "../dom";

export function loading(label = "Loading…"): HTMLElement {
  return h(
    "div",
    { class: "state loading", role: "status", "aria-live": "polite" },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    label,
  );
}

export function failure(error: unknown, retry?: () => void): HTMLElement {
  return h(
    "div",
    { class: "state error", role: "alert" },
    h("p", {}, errorMessage(error)),
    retry ? h("button", { type: "button", class: "button", onclick: () => retry() }, "Try again") : null,
  );
}

export function empty(message: string, ...extra: (Node | string)[]): HTMLElement {
  return h("div", { class: "state empty" }, h("p", {}, message), ...extra);
}

/** A form's message line: an error (role=alert) or a notice. */
export function formMessage(): {
  element: HTMLElement;
  error: (e: unknown) => void;
  notice: (text: string) => void;
  clear: () => void;
} {
  const element = h("p", { class: "form-message", "aria-live": "polite" });
  return {
    element,
    error: (e) => {
      element.className = "form-message error";
      element.setAttribute("role", "alert");
      element.textContent = errorMessage(e);
    },
    notice: (text) => {
      element.className = "form-message notice";
      element.removeAttribute("role");
      element.textContent = text;
    },
    clear: () => {
      element.textContent = "";
    },
  };
}

/** Disable a form's controls while `work` runs. */
export async function busy<T>(form: HTMLFormElement, work: () => Promise<T>): Promise<T> {
  const controls = [...form.querySelectorAll<HTMLButtonElement | HTMLInputElement>("button, input, select, textarea")];
  controls.forEach((c) => (c.disabled = true));
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    controls.forEach((c) => (c.disabled = false));
    form.removeAttribute("aria-busy");
  }
}
