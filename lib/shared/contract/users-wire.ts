// How the browser reaches a division's users, as plain values without zod: the division page's HTML and its
// first script use them before the contract's schemas have loaded (lib/client/contract.ts).

/** The users route of a division, and what the page asks it for (NDJSON while a cold fetch runs, else JSON). */
export function divisionUsersUrl(divisionId: string): string {
  return `/api/divisions/${encodeURIComponent(divisionId)}/users`;
}
export const USERS_ACCEPT = "application/x-ndjson, application/json";
/** The window property under which the division page's HTML leaves the users request it started early. */
export const EARLY_USERS_REQUESTS = "__tenantscopeUsersRequests";
