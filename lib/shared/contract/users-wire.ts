// How the browser reaches a division's users, as plain values without zod: the division page's HTML and its
// first script use them before the contract's schemas have loaded (lib/client/contract.ts).

/** The users route of a division, and what the page asks it for (NDJSON while a cold fetch runs, else JSON). */
export function divisionUsersUrl(divisionId: string): string {
  return `/api/divisions/${encodeURIComponent(divisionId)}/users`;
}
export const USERS_ACCEPT = "application/x-ndjson, application/json";
/** The window property under which the division page's HTML leaves the users request it started early. */
export const EARLY_USERS_REQUESTS = "__tenantscopeUsersRequests";

/** A division page's address: `/divisions/{id}`, the id percent-encoded. */
const DIVISION_PAGE_PATH = /^\/divisions\/([^/?#]+)\/?$/;

/** The division a page's address names, as the BFF reads it (decoded, lower case); null for any other address. */
export function divisionIdInPath(pathname: string): string | null {
  const match = DIVISION_PAGE_PATH.exec(pathname);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]).toLowerCase();
  } catch {
    return null;
  }
}

/**
 * The division page's first script: it starts the division's users request as the HTML parser reaches it,
 * long before the app's JavaScript has loaded and hydrated. It reads the division from the address, so its
 * bytes are the same for every division: the prerendered shell carries it, and its hash is in the shell's
 * Content-Security-Policy. It reads the address as `divisionIdInPath` does (the same pattern): the key the
 * client's query looks it up by, `lib/client/division-users.ts`.
 */
export const EARLY_USERS_SCRIPT = `(function(k,a){var m=${DIVISION_PAGE_PATH}.exec(location.pathname),id;if(!m)return;try{id=decodeURIComponent(m[1]).toLowerCase()}catch(e){return}var w=window;(w[k]=w[k]||{})[id]=fetch("/api/divisions/"+encodeURIComponent(id)+"/users",{headers:{Accept:a},credentials:"same-origin",cache:"no-store"}).catch(function(){return null})})(${JSON.stringify(EARLY_USERS_REQUESTS)},${JSON.stringify(USERS_ACCEPT)})`;
