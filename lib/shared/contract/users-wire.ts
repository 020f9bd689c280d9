// How the browser reaches a division's users, as plain values without zod: the division page's HTML and its
// first script use them before the contract's schemas have loaded (lib/client/contract.ts).

/** The users route of a division, and what the page asks it for (NDJSON while a cold fetch runs, else JSON). */
export function divisionUsersUrl(divisionId: string): string {
  return `/api/divisions/${encodeURIComponent(divisionId)}/users`;
}
export const USERS_ACCEPT = "application/x-ndjson, application/json";
/** The window property under which the division page's HTML leaves the users request it started early. */
export const EARLY_USERS_REQUESTS = "__tenantscopeUsersRequests";

/**
 * JSON text with every character outside ASCII written as a `\u` escape: the same value, read much faster by
 * the browser. Blink decodes a body that is all ASCII on a fast path; one accented name sends the rest of it
 * to the 16-bit path, and V8 then parses 16-bit text. Traced on a warm Umbrella Health re-open (1.4 MB, some
 * 11,000 accented characters): decoding took 72 ms of main thread before, 22 ms after, for 0.4 % more brotli
 * bytes (349,453 → 350,989 B). Outside strings JSON is ASCII already, and JSON.stringify escapes lone
 * surrogates itself.
 */
export function asciiJson(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

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
 * What the division page's first script leaves for the client's query: the response to its users request and,
 * when that is a warm division's JSON, the body being read and parsed already (null otherwise: an NDJSON
 * stream or an error is read by the client). Null for the whole when the request could not be made.
 */
export interface EarlyUsersResponse {
  response: Response;
  json: Promise<unknown> | null;
}

/**
 * The division page's first script: it starts the division's users request as the HTML parser reaches it,
 * long before the app's JavaScript has loaded and hydrated, and reads a JSON answer's body as soon as it has
 * come, in the main thread's gaps while the app's scripts load, rather than after hydration (measured on a warm
 * Umbrella re-open: reading and parsing its 1.4 MB took 60–160 ms after hydration). It reads the division
 * from the address, so its bytes are the same for every division: the prerendered shell carries it, and its
 * hash is in the shell's Content-Security-Policy. It reads the address as `divisionIdInPath` does (the same
 * pattern): the key the client's query looks it up by, `lib/client/division-users.ts`.
 */
export const EARLY_USERS_SCRIPT = `(function(k,a){var m=${DIVISION_PAGE_PATH}.exec(location.pathname),id;if(!m)return;try{id=decodeURIComponent(m[1]).toLowerCase()}catch(e){return}var w=window;(w[k]=w[k]||{})[id]=fetch("/api/divisions/"+encodeURIComponent(id)+"/users",{headers:{Accept:a},credentials:"same-origin",cache:"no-store"}).then(function(r){var t=r.headers.get("content-type")||"";return{response:r,json:r.ok&&t.indexOf("application/json")===0?r.json().catch(function(){return null}):null}},function(){return null})})(${JSON.stringify(EARLY_USERS_REQUESTS)},${JSON.stringify(USERS_ACCEPT)})`;
