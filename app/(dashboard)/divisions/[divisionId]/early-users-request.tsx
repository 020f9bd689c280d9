import { headers } from "next/headers";

import { EARLY_USERS_SCRIPT } from "@/lib/shared/contract";

/**
 * Starts the division's users request from the HTML, as the parser reaches it, instead of after the app's
 * JavaScript has loaded and hydrated: on this 2-core machine that moved the request from ~700 ms to ~100 ms
 * after navigation (warm Umbrella Health). The client's query takes the response over (one request, not two;
 * `lib/client/division-users.ts`). Only a full page load runs it: React does not run a script it renders on
 * a client-side navigation, and the query fetches as usual then. The prerendered shell
 * (`app/(shell)/division-shell`) carries the same script.
 */
export async function EarlyUsersRequest() {
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return <script nonce={nonce} dangerouslySetInnerHTML={{ __html: EARLY_USERS_SCRIPT }} />;
}
