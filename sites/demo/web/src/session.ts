import { api, refreshSession } from "./api/client";
import { unwrap } from "./api/errors";
import type { Me, Profile } from "./api/types";

// Who is signed in (the account, from GET /api/me) and who is watching (the profile chosen
// on "Who's watching?", remembered per browser so every tab watches as the same profile).

const PROFILE_KEY = "streamflix.profile";
// Set while this browser holds a session: the cookies themselves are HTTP-only, and asking
// the API while signed out would only log 401s.
const SIGNED_IN_KEY = "streamflix.signedIn";

export interface ChosenProfile {
  id: number;
  name: string;
  is_kids: boolean;
}

let me: Me | null = null;
let checked = false;

export function currentUser(): Me | null {
  return me;
}

export function currentProfile(): ChosenProfile | null {
  try {
    const raw = localStorage.getItem(PROFILE_KEY);
    return raw ? (JSON.parse(raw) as ChosenProfile) : null;
  } catch {
    return null;
  }
}

// Renew the access cookie before it expires (15 minutes by default), so requests rarely meet
// a 401 first; one that does is refreshed and sent again by the client.
const RENEW_EVERY_MS = 10 * 60 * 1000;
let renewTimer: number | undefined;

function changed(): void {
  window.clearInterval(renewTimer);
  if (me) renewTimer = window.setInterval(() => void refreshSession(), RENEW_EVERY_MS);
  document.dispatchEvent(new CustomEvent("sessionchange"));
}

/** The signed-in account, asked once per page load (null when signed out). */
export async function loadUser(force = false): Promise<Me | null> {
  if (checked && !force) return me;
  checked = true;
  if (localStorage.getItem(SIGNED_IN_KEY)) {
    const result = await api.GET("/api/me");
    me = result.response.ok ? (result.data ?? null) : null;
  } else {
    me = null;
  }
  if (!me) {
    localStorage.removeItem(PROFILE_KEY);
    localStorage.removeItem(SIGNED_IN_KEY);
  }
  changed();
  return me;
}

export async function signIn(email: string, password: string): Promise<void> {
  unwrap(await api.POST("/api/auth/login", { body: { email, password, cookies: true } }));
  localStorage.removeItem(PROFILE_KEY);
  localStorage.setItem(SIGNED_IN_KEY, "1");
  await loadUser(true);
}

export async function switchProfile(profile: Profile, pin: string | null): Promise<void> {
  unwrap(
    await api.POST("/api/profiles/{profile_id}/switch", {
      params: { path: { profile_id: profile.id } },
      body: { pin },
    }),
  );
  const chosen: ChosenProfile = { id: profile.id, name: profile.name, is_kids: profile.is_kids };
  localStorage.setItem(PROFILE_KEY, JSON.stringify(chosen));
  changed();
}

/** Forget a session the server no longer accepts (no request: the cookies are dead already). */
export function forgetSession(): void {
  me = null;
  localStorage.removeItem(PROFILE_KEY);
  localStorage.removeItem(SIGNED_IN_KEY);
  changed();
}

export async function signOut(): Promise<void> {
  // the refresh token comes from its cookie; a failure still signs this browser out
  await api.POST("/api/auth/logout", { body: {} }).catch(() => undefined);
  me = null;
  localStorage.removeItem(PROFILE_KEY);
  localStorage.removeItem(SIGNED_IN_KEY);
  changed();
}
