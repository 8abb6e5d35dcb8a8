import createClient from "openapi-fetch";
import type { paths } from "./schema";

// The app signs in in cookie mode: the tokens live in HTTP-only cookies the browser sends,
// and every unsafe request carries Django's CSRF token. An expired access token is
// refreshed once (the refresh cookie), then the request is sent again.

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const NO_RETRY = ["/api/auth/login", "/api/auth/refresh", "/api/auth/logout"];

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : "";
}

function withCsrf(request: Request): Request {
  if (UNSAFE.has(request.method)) {
    const token = csrfToken();
    if (token) request.headers.set("X-CSRFToken", token);
  }
  return request;
}

let refreshing: Promise<boolean> | null = null;

/** Trade the refresh cookie for a new pair; concurrent callers share one attempt. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch("/api/auth/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: "{}",
  })
    .then((response) => response.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function sessionFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await fetch(withCsrf(request));
  const path = new URL(request.url).pathname;
  if (response.status !== 401 || NO_RETRY.includes(path)) return response;
  if (!(await refreshSession())) {
    // the refresh token is gone too (expired, signed out elsewhere, password changed)
    document.dispatchEvent(new CustomEvent("sessionexpired"));
    return response;
  }
  return fetch(withCsrf(retry));
}

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: "same-origin",
  fetch: sessionFetch,
});
