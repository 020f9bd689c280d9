import "server-only";

/** For the OAuth callback: "AccessDenied" when Genesys says so, "StateMismatch" when our state cookie is gone. */
export function callbackProblem(req: Request): "AccessDenied" | "StateMismatch" | null {
  const url = new URL(req.url);
  if (!url.pathname.endsWith("/api/auth/callback/genesys")) return null;
  if (url.searchParams.get("error") === "access_denied") return "AccessDenied";
  const cookies = req.headers.get("cookie") ?? "";
  if (url.searchParams.has("code") && !/(^|;\s*)(__Secure-)?next-auth\.state=/.test(cookies)) return "StateMismatch";
  return null;
}
