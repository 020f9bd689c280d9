/**
 * Plain-`fetch` helpers for talking to the local Genesys Cloud emulator (emulator/server.ts) from tests:
 * raw HTTP calls, client-credentials tokens, and the real authorization-code sign-in flow (with or without
 * PKCE S256), driven through the emulator's HTML login form as a browser would submit it.
 */
import { createHash, randomBytes } from "node:crypto";

export interface HttpResult {
  status: number;
  headers: Headers;
  /** The raw body text. */
  text: string;
  /** The parsed body when the response is JSON, otherwise undefined. */
  json: unknown;
}

export interface RequestOptions {
  method?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** A full Authorization header value (wins over `token`). */
  authorization?: string;
  /** A JSON request body. */
  json?: unknown;
  /** A request body sent verbatim as application/json (for malformed or oversized bodies). */
  rawJson?: string;
  /** An application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Abort after this long (default 10 s), so a stuck connection fails the test instead of hanging it. */
  timeoutMs?: number;
}

/** One HTTP request; redirects are never followed, so 302s and their Location can be inspected. */
export async function httpRequest(baseUrl: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.authorization !== undefined) headers.Authorization = opts.authorization;
  let body: string | URLSearchParams | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers["Content-Type"] = "application/json";
  } else if (opts.rawJson !== undefined) {
    body = opts.rawJson;
    headers["Content-Type"] = "application/json";
  } else if (opts.form !== undefined) {
    body = new URLSearchParams(opts.form);
  }
  const res = await fetch(new URL(path, baseUrl), {
    method: opts.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  let json: unknown;
  if ((res.headers.get("content-type") ?? "").includes("application/json") && text !== "") {
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------------
// OAuth

export interface OAuthClientCredentials {
  id: string;
  secret: string;
}

/** A successful /oauth/token body (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
}

export function basicAuth(client: OAuthClientCredentials): string {
  return `Basic ${Buffer.from(`${client.id}:${client.secret}`, "utf8").toString("base64")}`;
}

/** POST /oauth/token with a form, authenticated with HTTP Basic when `client` is given. */
export function tokenRequest(baseUrl: string, form: Record<string, string>, client?: OAuthClientCredentials): Promise<HttpResult> {
  return httpRequest(baseUrl, "/oauth/token", {
    method: "POST",
    form,
    ...(client ? { authorization: basicAuth(client) } : {}),
  });
}

/** Reads a successful token response; throws with the body when the request failed or the shape is wrong. */
export function readTokenResponse(res: HttpResult): TokenResponse {
  const b = res.json;
  if (
    res.status !== 200 ||
    !isRecord(b) ||
    typeof b.access_token !== "string" ||
    typeof b.token_type !== "string" ||
    typeof b.expires_in !== "number" ||
    (b.refresh_token !== undefined && typeof b.refresh_token !== "string")
  ) {
    throw new Error(`token request failed: ${res.status} ${res.text}`);
  }
  return {
    access_token: b.access_token,
    token_type: b.token_type,
    expires_in: b.expires_in,
    ...(typeof b.refresh_token === "string" ? { refresh_token: b.refresh_token } : {}),
  };
}

export async function clientCredentialsToken(baseUrl: string, client: OAuthClientCredentials): Promise<TokenResponse> {
  return readTokenResponse(await tokenRequest(baseUrl, { grant_type: "client_credentials" }, client));
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

/** A PKCE pair: a 43-character verifier and its base64url SHA-256 challenge (method S256). */
export function pkcePair(): Pkce {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state?: string;
  codeChallenge?: string;
}

export function authorizePath(p: AuthorizeParams): string {
  const q = new URLSearchParams({ client_id: p.clientId, response_type: "code", redirect_uri: p.redirectUri });
  if (p.state !== undefined) q.set("state", p.state);
  if (p.codeChallenge !== undefined) {
    q.set("code_challenge", p.codeChallenge);
    q.set("code_challenge_method", "S256");
  }
  return `/oauth/authorize?${q.toString()}`;
}

function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e] ?? "");
}

/** The hidden inputs of an HTML form, as a browser would submit them. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    if (!/\btype="hidden"/.test(tag)) continue;
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    const value = /\bvalue="([^"]*)"/.exec(tag)?.[1];
    if (name !== undefined) fields[unescapeHtml(name)] = unescapeHtml(value ?? "");
  }
  return fields;
}

export interface SignInResult {
  /** GET /oauth/authorize: the login page. */
  page: HttpResult;
  /** POST /oauth/authorize: the form submission. */
  submit: HttpResult;
}

/** Opens the login page and submits its form with the given credentials and button (`login` or `deny`). */
export async function signIn(
  baseUrl: string,
  p: AuthorizeParams & { username: string; password: string; action?: "login" | "deny" },
): Promise<SignInResult> {
  const page = await httpRequest(baseUrl, authorizePath(p));
  if (page.status !== 200) throw new Error(`authorize page failed: ${page.status} ${page.text}`);
  const submit = await httpRequest(baseUrl, "/oauth/authorize", {
    method: "POST",
    form: { ...hiddenFields(page.text), username: p.username, password: p.password, action: p.action ?? "login" },
  });
  return { page, submit };
}

/** Signs in and returns the authorization code from the redirect (checking that `state` came back). */
export async function authorizationCode(baseUrl: string, p: AuthorizeParams & { username: string; password: string }): Promise<string> {
  const { submit } = await signIn(baseUrl, p);
  const location = submit.headers.get("location");
  if (submit.status !== 302 || location === null) throw new Error(`sign-in did not redirect: ${submit.status} ${submit.text}`);
  const url = new URL(location);
  const code = url.searchParams.get("code");
  if (code === null) throw new Error(`sign-in redirect has no code: ${location}`);
  if (p.state !== undefined && url.searchParams.get("state") !== p.state) throw new Error(`state did not round-trip: ${location}`);
  return code;
}

export interface UserLogin {
  client: OAuthClientCredentials;
  redirectUri: string;
  username: string;
  password: string;
  /** true: PKCE S256, the exchange sends client_id + code_verifier and no secret. */
  pkce?: boolean;
}

/** A user token through the full authorization-code flow (authorize page → form post → code → /oauth/token). */
export async function userToken(baseUrl: string, login: UserLogin): Promise<TokenResponse> {
  const pkce = login.pkce ? pkcePair() : undefined;
  const state = randomBytes(8).toString("hex");
  const code = await authorizationCode(baseUrl, {
    clientId: login.client.id,
    redirectUri: login.redirectUri,
    state,
    ...(pkce ? { codeChallenge: pkce.challenge } : {}),
    username: login.username,
    password: login.password,
  });
  const form: Record<string, string> = { grant_type: "authorization_code", code, redirect_uri: login.redirectUri };
  if (pkce) {
    return readTokenResponse(await tokenRequest(baseUrl, { ...form, code_verifier: pkce.verifier, client_id: login.client.id }));
  }
  return readTokenResponse(await tokenRequest(baseUrl, form, login.client));
}
