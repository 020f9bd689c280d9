// The login host's endpoints: /oauth/token (client credentials, authorization code with optional PKCE,
// refresh token), /oauth/authorize with an HTML sign-in page, and /logout. Errors are OAuth-style JSON
// ({error, description, error_description}), not ErrorBody: the login host is not part of the API spec.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

import type { Reply } from "./http";
import { escapeHtml } from "./http";
import type { EmuOAuthClient } from "./model";
import type { EmulatorState } from "./state";

const CODE_LIFETIME_MS = 5 * 60_000;

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, description, error_description: description }, headers: { "Cache-Control": "no-store" } };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Client authentication: HTTP Basic (client_secret_basic) or form fields (client_secret_post). */
function authenticateClient(state: EmulatorState, authorization: string | undefined, form: URLSearchParams): { client?: EmuOAuthClient; presented: boolean } {
  let id = form.get("client_id") ?? undefined;
  let secret = form.get("client_secret") ?? undefined;
  const basic = authorization?.match(/^basic\s+(.+)$/i);
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const sep = decoded.indexOf(":");
    if (sep < 0) return { presented: true };
    id = decodeURIComponent(decoded.slice(0, sep));
    secret = decodeURIComponent(decoded.slice(sep + 1));
  }
  if (id === undefined || secret === undefined) return { presented: false };
  const client = state.clients.get(id);
  if (!client || client.state !== "active" || !safeEqual(client.secret, secret)) return { presented: true };
  return { client, presented: true };
}

/** Registered redirect URIs may use `*` for the port, so tests can run the app on any port. */
function matchesPattern(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  const escaped = pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join("\\d{1,5}")}$`).test(value);
}

export function redirectUriAllowed(client: EmuOAuthClient, uri: string): boolean {
  return client.registeredRedirectUri.some((pattern) => matchesPattern(pattern, uri));
}

/** Logout may return anywhere on the origin of a registered redirect URI. */
function originAllowed(client: EmuOAuthClient, uri: string): boolean {
  let origin: string;
  try {
    origin = new URL(uri).origin;
  } catch {
    return false;
  }
  return client.registeredRedirectUri.some((pattern) => {
    const m = /^(https?:\/\/[^/]+)/.exec(pattern);
    return m?.[1] !== undefined && matchesPattern(m[1], origin);
  });
}

function tokenResponse(state: EmulatorState, client: EmuOAuthClient, userId?: string): Reply {
  const user = userId ? state.users.get(userId) : undefined;
  const rec = state.issueToken(user ? { kind: "user", user, client } : { kind: "client", client });
  const body: Record<string, unknown> = { access_token: rec.token, token_type: "bearer", expires_in: Math.round((rec.expiresAt - rec.issuedAt) / 1000) };
  if (user) {
    const refresh = randomBytes(32).toString("base64url");
    state.refreshTokens.set(refresh, { token: refresh, clientId: client.id, userId: user.id, revoked: false });
    body.refresh_token = refresh;
  }
  return { status: 200, body, headers: { "Cache-Control": "no-store" } };
}

export function handleToken(state: EmulatorState, authorization: string | undefined, form: URLSearchParams): Reply {
  const grantType = form.get("grant_type");
  const auth = authenticateClient(state, authorization, form);

  if (grantType === "client_credentials") {
    if (!auth.client) return oauthError(401, "invalid_client", "authentication failed");
    if (auth.client.authorizedGrantType !== "CLIENT-CREDENTIALS") return oauthError(400, "unauthorized_client", "client is not authorized for this grant type");
    return tokenResponse(state, auth.client);
  }

  if (grantType === "authorization_code") {
    const codeValue = form.get("code") ?? "";
    const code = state.codes.get(codeValue);
    const now = state.now();
    // A PKCE exchange identifies the client by client_id alone; otherwise the client must authenticate.
    const clientId = auth.client?.id ?? (!auth.presented || !form.get("client_secret") ? form.get("client_id") : null);
    if (auth.presented && !auth.client && !code?.codeChallenge) return oauthError(401, "invalid_client", "authentication failed");
    if (!code || code.used || code.expiresAt < now) return oauthError(400, "invalid_grant", "authorization code is invalid or expired");
    if (clientId !== code.clientId) return oauthError(400, "invalid_grant", "authorization code was issued to another client");
    if (form.get("redirect_uri") !== code.redirectUri) return oauthError(400, "invalid_grant", "redirect_uri does not match the authorization request");
    if (code.codeChallenge) {
      const verifier = form.get("code_verifier") ?? "";
      if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return oauthError(400, "invalid_grant", "code_verifier is missing or malformed");
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      if (!safeEqual(challenge, code.codeChallenge)) return oauthError(400, "invalid_grant", "code_verifier does not match the code_challenge");
    } else if (!auth.client) {
      return oauthError(401, "invalid_client", "authentication failed");
    }
    code.used = true;
    const client = state.clients.get(code.clientId);
    if (!client) return oauthError(400, "invalid_grant", "client no longer exists");
    return tokenResponse(state, client, code.userId);
  }

  if (grantType === "refresh_token") {
    if (!auth.client) return oauthError(401, "invalid_client", "authentication failed");
    const rec = state.refreshTokens.get(form.get("refresh_token") ?? "");
    if (!rec || rec.revoked || rec.clientId !== auth.client.id) return oauthError(400, "invalid_grant", "refresh token is invalid or revoked");
    return tokenResponse(state, auth.client, rec.userId);
  }

  return oauthError(400, "unsupported_grant_type", `grant_type ${grantType ?? "(missing)"} is not supported`);
}

interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state: string | null;
  codeChallenge: string | null;
}

function redirectTo(uri: string, params: Record<string, string | null>): Reply {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return { status: 302, headers: { Location: url.toString(), "Cache-Control": "no-store" } };
}

function errorPage(status: number, title: string, detail: string): Reply {
  return { status, body: page(title, `<p class="error" role="alert">${escapeHtml(detail)}</p>`) };
}

/**
 * Validates an authorize request. Client and redirect problems are shown on the login host itself: never
 * redirect to an unregistered URI (RFC 6749 §4.1.2.1). Other problems go back to the client as ?error=.
 */
function validateAuthorize(state: EmulatorState, q: URLSearchParams): { ok: AuthorizeParams } | { reply: Reply } {
  const clientId = q.get("client_id") ?? "";
  const client = state.clients.get(clientId);
  if (!client || client.state !== "active") return { reply: errorPage(400, "Unknown application", "The client_id is not a registered OAuth client.") };
  const redirectUri = q.get("redirect_uri") ?? "";
  if (!redirectUriAllowed(client, redirectUri)) {
    return { reply: errorPage(400, "Invalid redirect", "The redirect_uri is not registered for this OAuth client.") };
  }
  const st = q.get("state");
  if (q.get("response_type") !== "code") return { reply: redirectTo(redirectUri, { error: "unsupported_response_type", state: st }) };
  if (client.authorizedGrantType !== "CODE") return { reply: redirectTo(redirectUri, { error: "unauthorized_client", state: st }) };
  const challenge = q.get("code_challenge");
  const method = q.get("code_challenge_method");
  if (challenge !== null || method !== null) {
    if (method !== "S256") return { reply: redirectTo(redirectUri, { error: "invalid_request", error_description: "code_challenge_method must be S256", state: st }) };
    if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return { reply: redirectTo(redirectUri, { error: "invalid_request", error_description: "code_challenge is malformed", state: st }) };
    }
  }
  return { ok: { clientId, redirectUri, state: st, codeChallenge: challenge } };
}

function page(title: string, inner: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Genesys Cloud (emulator)</title>
<style>body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}main{max-width:360px;margin:10vh auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1.2rem;padding:.6rem 1rem;font-size:1rem;border:0;border-radius:4px;background:#ff4f1f;color:#fff;cursor:pointer}
button.secondary{background:#ddd;color:#222;margin-left:.5rem}.error{color:#b00020}small{color:#555}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>${inner}</main></body></html>`;
}

function loginForm(p: AuthorizeParams, message?: string): string {
  const hidden = (name: string, value: string | null) => (value === null ? "" : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`);
  return page(
    "Sign in",
    `<p><small>Local Genesys Cloud emulator. Demo password: <code>demo</code>.</small></p>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ""}
<form method="post" action="/oauth/authorize">
${hidden("client_id", p.clientId)}${hidden("redirect_uri", p.redirectUri)}${hidden("state", p.state)}${hidden("code_challenge", p.codeChallenge)}
${hidden("code_challenge_method", p.codeChallenge ? "S256" : null)}${hidden("response_type", "code")}
<label for="username">Email</label><input id="username" name="username" type="email" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" name="action" value="login">Log in</button><button type="submit" name="action" value="deny" class="secondary" formnovalidate>Deny</button>
</form>`,
  );
}

export function handleAuthorizeGet(state: EmulatorState, q: URLSearchParams): Reply {
  const v = validateAuthorize(state, q);
  if ("reply" in v) return v.reply;
  return { status: 200, body: loginForm(v.ok), headers: { "Cache-Control": "no-store" } };
}

export function handleAuthorizePost(state: EmulatorState, form: URLSearchParams): Reply {
  const v = validateAuthorize(state, form);
  if ("reply" in v) return v.reply;
  const p = v.ok;
  if (form.get("action") === "deny") return redirectTo(p.redirectUri, { error: "access_denied", error_description: "The user denied the request", state: p.state });
  const username = (form.get("username") ?? "").trim().toLowerCase();
  const user = [...state.users.values()].find((u) => u.username.toLowerCase() === username && u.password !== undefined);
  if (!user || user.state !== "active" || !user.password || !safeEqual(user.password, form.get("password") ?? "")) {
    return { status: 401, body: loginForm(p, "Invalid email or password."), headers: { "Cache-Control": "no-store" } };
  }
  const code = randomBytes(24).toString("base64url");
  state.codes.set(code, {
    code,
    clientId: p.clientId,
    userId: user.id,
    redirectUri: p.redirectUri,
    ...(p.codeChallenge ? { codeChallenge: p.codeChallenge } : {}),
    expiresAt: state.now() + CODE_LIFETIME_MS,
    used: false,
  });
  return redirectTo(p.redirectUri, { code, state: p.state });
}

export function handleLogout(state: EmulatorState, q: URLSearchParams): Reply {
  const redirectUri = q.get("redirect_uri");
  if (!redirectUri) return { status: 200, body: page("Signed out", "<p>You have been signed out.</p>") };
  const client = state.clients.get(q.get("client_id") ?? "");
  // Only the origin of a registered redirect is honoured; anything else would be an open redirect.
  const allowed = client !== undefined && originAllowed(client, redirectUri);
  if (!allowed) return errorPage(400, "Invalid redirect", "The redirect_uri is not registered for this OAuth client.");
  return { status: 302, headers: { Location: redirectUri } };
}
