import "server-only";

// Response headers for every page and route. Pages get a Content-Security-Policy with a per-request nonce
// (Next applies it to its own scripts); no 'unsafe-eval' outside development. Style attributes need
// 'unsafe-inline' for styles only (React style props), which cannot run script.

export function contentSecurityPolicy(nonce: string, options: { dev: boolean; loginOrigin: string }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
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
