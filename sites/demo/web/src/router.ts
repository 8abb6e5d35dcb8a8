import { failure } from "./ui/states";

// History routing: every page is a function that renders into <main> and may return a
// cleanup (the player stops its session, the title page closes its socket).

export type Cleanup = () => void;
export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  main: HTMLElement;
}
export type Page = (context: RouteContext) => Cleanup | void | Promise<Cleanup | void>;

interface Route {
  pattern: RegExp;
  names: string[];
  page: Page;
}

// Pages Django answers itself (the API docs, the admin, the development checkout).
const SERVER_PAGES = /^\/(api|admin|billing|stream|static|media|ws)(\/|$)/;
const routes: Route[] = [];
let cleanup: Cleanup | null = null;
let fallback: Page = () => undefined;
let renderCount = 0;

/** `path` like "/title/:slug"; a parameter matches one path segment. */
export function route(path: string, page: Page): void {
  const names: string[] = [];
  const source = path.replace(/:([a-z]+)/gi, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ pattern: new RegExp(`^${source}/?$`), names, page });
}

export function notFound(page: Page): void {
  fallback = page;
}

/** A ``next`` page from a query string, if it is one of this app's own paths (else "/"). */
export function ownPath(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

export function navigate(to: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  void show();
}

export async function show(): Promise<void> {
  const main = document.getElementById("main") as HTMLElement;
  const current = ++renderCount;
  cleanup?.();
  cleanup = null;
  const { pathname, search } = window.location;
  let page = fallback;
  let params: Record<string, string> = {};
  for (const candidate of routes) {
    const match = candidate.pattern.exec(pathname);
    if (match) {
      page = candidate.page;
      params = Object.fromEntries(candidate.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? "")]));
      break;
    }
  }
  // Each visit renders into its own element: a page still loading when the viewer moves on
  // finishes into a detached element instead of over the next page.
  const view = document.createElement("div");
  view.className = "view";
  main.replaceChildren(view);
  window.scrollTo(0, 0);
  document.title = "Streamflix";
  let result: Cleanup | void;
  try {
    result = await page({ params, query: new URLSearchParams(search), main: view });
  } catch (error) {
    // a page that failed outside its own error handling (e.g. its code did not load)
    if (current === renderCount) view.replaceChildren(failure(error, () => void show()));
    return;
  }
  if (current !== renderCount) {
    // the viewer moved on while this page was loading
    if (result) result();
    return;
  }
  cleanup = result ?? null;
  // keyboard and screen-reader users start at the new page, unless the page took focus itself
  const focused = document.activeElement;
  if (!focused || focused === document.body || !focused.isConnected) main.focus({ preventScroll: true });
  document.dispatchEvent(new CustomEvent("routechange"));
}

/** Follow same-origin app links without reloading the page. */
export function startRouter(): void {
  document.addEventListener("click", (event) => {
    const link = (event.target as Element | null)?.closest?.("a");
    if (
      !link ||
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      link.target ||
      link.hasAttribute("download") ||
      link.dataset.external !== undefined ||
      link.origin !== window.location.origin ||
      SERVER_PAGES.test(link.pathname)
    ) {
      return;
    }
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
  window.addEventListener("popstate", () => void show());
  void show();
}
