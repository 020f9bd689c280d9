// Sign-in helpers used by the sign-in page (server) and the auth route.

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Only same-site paths may be a callback: anything else (another host, //evil, javascript:) becomes "/", and
 * so does a path with a control character (a newline would break the redirect's Location header).
 */
export function safeCallbackUrl(raw: string | undefined): string {
  if (!raw || raw.length > 2000 || CONTROL_CHARACTER.test(raw)) return "/";
  if (!raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  return raw;
}

const MESSAGES: Record<string, string> = {
  AccessDenied: "Sign-in was cancelled: access was denied in Genesys Cloud. Try again and choose Allow, or ask your administrator.",
  StateMismatch: "Your sign-in link expired or was opened in another browser window. Please start again.",
  OAuthCallback: "Genesys Cloud sign-in could not be completed. The login service may be unavailable right now; please try again in a moment.",
  OAuthSignin: "Could not start Genesys Cloud sign-in. The login service may be unavailable right now; please try again in a moment.",
  SessionExpired: "Your session ended. Please sign in again.",
};

export function signInErrorMessage(code: string): string {
  return MESSAGES[code] ?? "Sign-in did not work. Please try again.";
}
