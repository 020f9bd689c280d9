// Signs a demo account in to a running app over plain HTTP, through the emulator's real login page, and
// returns a cookie jar: used by route tests that need real next-auth sessions.

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      if (!pair) continue;
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  clone(): CookieJar {
    const c = new CookieJar();
    for (const [k, v] of this.cookies) c.set(k, v);
    return c;
  }
}

async function request(url: string, jar: CookieJar, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header();
  if (cookie && new URL(url).hostname === "localhost") headers.set("cookie", cookie);
  const res = await fetch(url, { ...init, headers, redirect: "manual" });
  if (new URL(url).hostname === "localhost") jar.store(res);
  return res;
}

function hiddenFields(html: string): URLSearchParams {
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    const [, name, value] = m;
    if (name !== undefined && value !== undefined) form.set(name, value.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
  }
  return form;
}

/** Full round trip; resolves with the jar holding the session cookie and where the app finally sent us. */
export async function signIn(appUrl: string, email: string, options: { password?: string; callbackUrl?: string } = {}): Promise<{ jar: CookieJar; landedOn: string }> {
  const jar = new CookieJar();
  const csrf = (await (await request(`${appUrl}/api/auth/csrf`, jar)).json()) as { csrfToken: string };
  const start = await request(`${appUrl}/api/auth/signin/genesys`, jar, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken: csrf.csrfToken, callbackUrl: options.callbackUrl ?? `${appUrl}/`, json: "true" }).toString(),
  });
  let authorizeUrl = start.headers.get("location");
  if (!authorizeUrl) authorizeUrl = ((await start.json()) as { url: string }).url;
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`authorize page answered ${page.status}`);
  const form = hiddenFields(await page.text());
  form.set("username", email);
  form.set("password", options.password ?? "demo");
  form.set("action", "login");
  const login = await fetch(new URL("/oauth/authorize", authorizeUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    redirect: "manual",
  });
  const callback = login.headers.get("location");
  if (login.status !== 302 || !callback) throw new Error(`login answered ${login.status}`);
  const done = await request(callback, jar);
  const landedOn = done.headers.get("location") ?? "";
  if (!jar.get("next-auth.session-token")) throw new Error(`no session cookie after callback (status ${done.status}, location ${landedOn})`);
  return { jar, landedOn };
}

/** A GET with the jar's cookies, no redirects followed. */
export function get(url: string, jar: CookieJar | null, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers: { ...headers, ...(jar ? { cookie: jar.header() } : {}) }, redirect: "manual" });
}

/** Signs out through next-auth's form (CSRF token first), as the sign-out button does; resolves with its status. */
export async function signOut(appUrl: string, jar: CookieJar): Promise<number> {
  const csrf = (await (await get(`${appUrl}/api/auth/csrf`, jar)).json()) as { csrfToken: string };
  const out = await fetch(`${appUrl}/api/auth/signout`, {
    method: "POST",
    headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken: csrf.csrfToken, callbackUrl: "/signin", json: "true" }).toString(),
    redirect: "manual",
  });
  return out.status;
}
