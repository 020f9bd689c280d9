// @ts-check
// Whether a request carries a genuine staff session, read the way the app reads it (next-auth's getToken:
// the encrypted session cookie, chunked or not). Used before the app is reached, so it decides nothing
// about access: the route checks the session again, revocations included.
import { getToken } from "next-auth/jwt";

/** @param {string | undefined} header */
function cookiesOf(header) {
  /** @type {Record<string, string>} */
  const cookies = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) cookies[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * @param {import("node:http").IncomingMessage} req
 * @param {{ secret: string | undefined, secureCookie: boolean }} session
 * @returns {Promise<boolean>}
 */
export async function hasSession(req, session) {
  if (!session.secret || !req.headers.cookie) return false;
  try {
    // getToken reads only `cookies` and `headers` of the request it is given.
    const token = await getToken({ req: /** @type {any} */ ({ cookies: cookiesOf(req.headers.cookie), headers: req.headers }), secret: session.secret, secureCookie: session.secureCookie });
    return token !== null && typeof token === "object" && "genesys" in token;
  } catch {
    return false;
  }
}
