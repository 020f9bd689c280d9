import "server-only";

// Response headers for every page and route. A page rendered per request gets a Content-Security-Policy with
// a per-request nonce (Next applies it to its own scripts); the prerendered division shell, which has no
// nonce, allows its inline scripts by their hashes instead. No 'unsafe-eval' outside development. Style
// attributes need 'unsafe-inline' for styles only (React style props), which cannot run script.

interface PolicyOptions {
  dev: boolean;
  loginOrigin: string;
}

function policy(scriptSources: string, options: PolicyOptions): string {
  return [
    "default-src 'self'",
    `script-src ${scriptSources}${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    // Sign-in ends in a redirect to the Genesys login host.
    `form-action 'self' ${options.loginOrigin}`,
    "frame-ancestors 'none'",
  ].join("; ");
}

/** `scriptHashes`: inline scripts rendered without the nonce (`next dev` rendering the division shell). */
export function contentSecurityPolicy(nonce: string, options: PolicyOptions, scriptHashes: readonly string[] = []): string {
  return policy([`'self' 'nonce-${nonce}' 'strict-dynamic'`, ...scriptHashes].join(" "), options);
}

/**
 * For a prerendered page: its inline scripts by their hashes (`'sha256-…'`), its script files by origin.
 * Without 'strict-dynamic', which would ignore 'self' and refuse the page's own script tags (they carry no
 * nonce); the chunks Next loads later come from 'self' as well.
 */
export function prerenderedContentSecurityPolicy(scriptHashes: readonly string[], options: PolicyOptions): string {
  return policy(["'self'", ...scriptHashes].join(" "), options);
}

/** The same for every response, pages and API alike. */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
};

export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export const HSTS = "max-age=63072000; includeSubDomains";
