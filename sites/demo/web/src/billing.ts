import { api } from "./api/client";
import { unwrap } from "./api/errors";
import type { Subscription } from "./api/types";

/** The account's subscription (or the last one that ended); null when it never had one.
 * GET /me/subscription answers 404 to an account that never subscribed: its history says so
 * first, without a failed request in the console. */
export async function currentSubscription(): Promise<Subscription | null> {
  const history = unwrap(
    await api.GET("/api/billing/me/subscription/history", { params: { query: { page_size: 1 } } }),
  );
  if (!history.count) return null;
  return unwrap(await api.GET("/api/billing/me/subscription"));
}
