import http from "node:http";
import type { AddressInfo } from "node:net";
import util from "node:util";
import platformClient from "purecloud-platform-client-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, ERROR_CODES, type ErrorDetails, STATUS_BY_CODE, isAppError, toErrorResponse } from "@/lib/server/platform/errors";
import { toAppError, UpstreamError, appErrorFromUpstream, extractPermissions, parseRetryAfter, toUpstreamError } from "@/lib/server/genesys";

const SECRET = "s3cr3t-Client-Secret";
const BASIC = `Basic ${Buffer.from(`my-client-id:${SECRET}`).toString("base64")}`;
const BEARER_TOKEN = "tok-abcdefghijklmnopqrstuvwxyz";

/** Every way a converted error might end up in a log line or a response. */
function renderings(value: unknown): string[] {
  const out = [JSON.stringify(value), util.inspect(value, { depth: Infinity, showHidden: true }), String(value)];
  if (value instanceof Error) out.push(value.stack ?? "");
  if (value instanceof UpstreamError) out.push(JSON.stringify(value.toJSON()));
  return out;
}

function expectNoCredentials(value: unknown): void {
  for (const text of renderings(value)) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(BASIC.slice("Basic ".length));
    expect(text).not.toMatch(/Basic\s+[A-Za-z0-9+/=]{6,}/);
    expect(text).not.toContain(BEARER_TOKEN);
    expect(text).not.toContain("grant_type");
  }
}

/** Shaped like the AxiosError `loginClientCredentialsGrant` rejects with (SDK 262). */
function loginAxiosError(): Record<string, unknown> {
  const config = {
    url: "https://login.mypurecloud.com/oauth/token",
    method: "post",
    headers: { Authorization: BASIC, "Content-Type": "application/x-www-form-urlencoded" },
    data: "grant_type=client_credentials",
    auth: { username: "my-client-id", password: SECRET },
  };
  const error = new Error("Request failed with status code 401") as Error & Record<string, unknown>;
  Object.assign(error, {
    name: "AxiosError",
    isAxiosError: true,
    code: "ERR_BAD_REQUEST",
    status: 401,
    config,
    request: { _header: `POST /oauth/token HTTP/1.1\r\nAuthorization: ${BASIC}\r\n` },
    response: {
      status: 401,
      statusText: "Unauthorized",
      headers: { "content-type": "application/json", "inin-correlation-id": "corr-login-1" },
      data: { error: "invalid_client", description: "authentication failed", error_description: "authentication failed" },
      config,
    },
  });
  return error;
}

describe("STATUS_BY_CODE", () => {
  it("gives every code a status and maps upstream failures as the style guide says", () => {
    for (const code of ERROR_CODES) expect(STATUS_BY_CODE[code]).toBeGreaterThanOrEqual(400);
    expect(STATUS_BY_CODE).toMatchObject({
      bad_request: 400,
      unauthenticated: 401,
      forbidden: 403,
      not_found: 404,
      upstream_forbidden: 403,
      upstream_rate_limited: 503,
      upstream_unavailable: 502,
      upstream_timeout: 504,
      upstream_bad_response: 502,
      internal: 500,
    });
    // A Genesys 401 concerns our credentials, not the caller's session.
    expect(STATUS_BY_CODE.upstream_unauthorized).not.toBe(401);
  });
});

describe("AppError", () => {
  it("carries code, status, frozen details without undefined values, and hides its cause from JSON", () => {
    const cause = loginAxiosError();
    const err = new AppError("forbidden", "No access to this tenant.", { details: { divisionId: "d1", permission: undefined }, cause });
    expect(err).toBeInstanceOf(Error);
    expect(isAppError(err)).toBe(true);
    expect(isAppError(new Error("x"))).toBe(false);
    expect(err.name).toBe("AppError");
    expect(err.status).toBe(403);
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ divisionId: "d1" });
    expect(Object.isFrozen(err.details)).toBe(true);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: "AppError",
      code: "forbidden",
      message: "No access to this tenant.",
      details: { divisionId: "d1" },
    });
  });
});

describe("toErrorResponse", () => {
  it("returns the envelope with safe details, status from the table and no-store", () => {
    const response = toErrorResponse(
      new AppError("upstream_rate_limited", "Slow down.", { details: { retryAfterSeconds: 41.2, correlationId: "c-1" } }),
    );
    expect(response).toEqual({
      status: 503,
      body: { error: { code: "upstream_rate_limited", message: "Slow down.", retryAfterSeconds: 41.2, correlationId: "c-1" } },
      headers: { "Cache-Control": "no-store", "Retry-After": "42" },
    });
  });

  it("omits Retry-After when no wait is known", () => {
    expect(toErrorResponse(new AppError("not_found", "Nope.")).headers).toEqual({ "Cache-Control": "no-store" });
  });

  it.each([
    ["an Error", new Error("ECONNREFUSED at /srv/app/lib/server/secret-path.ts password=hunter2")],
    ["a string", "boom password=hunter2"],
    ["null", null],
    ["an object", { message: "password=hunter2", status: 400 }],
  ])("turns %s into a generic internal error", (_label, thrown) => {
    const response = toErrorResponse(thrown);
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: { code: "internal", message: expect.any(String) } });
    const text = JSON.stringify(response);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("secret-path");
    expect(text).not.toContain(" at ");
  });

  it("replaces operator-facing messages (config_error, internal) with generic ones", () => {
    const response = toErrorResponse(new AppError("config_error", "GENESYS_REGION: \"mars-1\" is not a Genesys Cloud region"));
    expect(response.status).toBe(500);
    expect(response.body.error.message).not.toContain("GENESYS_REGION");
  });

  it("does not let details shadow code or message, and never serialises the cause", () => {
    // Only a cast can get these keys past the ErrorDetails type; the runtime guard is what is tested.
    const details = { code: "ok", message: "fine", divisionId: "d1" } as unknown as ErrorDetails;
    const err = new AppError("forbidden", "Denied.", { details, cause: loginAxiosError() });
    const response = toErrorResponse(err);
    expect(response.body.error).toEqual({ code: "forbidden", message: "Denied.", divisionId: "d1" });
    expectNoCredentials(response);
  });

  it("maps an UpstreamError thrown straight through (toAppError first, as the route wrapper does)", () => {
    const response = toErrorResponse(toAppError(new UpstreamError({ kind: "timeout", message: "slow" })));
    expect(response.status).toBe(504);
    expect(response.body.error.code).toBe("upstream_timeout");
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-29T12:00:00Z");
  it.each<[string | undefined, number | undefined]>([
    ["42", 42],
    [" 7 ", 7],
    ["0", 0],
    ["1.5", 2],
    ["Sun, 29 Nov 2026 12:00:30 GMT", 30],
    ["Sunday, 29-Nov-26 12:01:00 GMT", 60],
    ["Sun Nov 29 12:00:05 2026", 5],
    ["Sun, 29 Nov 2026 11:00:00 GMT", 0],
    ["-5", undefined],
    ["soon", undefined],
    ["12abc", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("parses %j as %j", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe("toUpstreamError", () => {
  it("reads an extended-mode 429: status, code, correlation id and Retry-After header", () => {
    const e = toUpstreamError(
      {
        status: 429,
        statusText: "Too Many Requests",
        headers: { "retry-after": "42", "inin-correlation-id": "corr-429" },
        body: {
          message: "Rate limit exceeded the maximum. Retry the request in [42] seconds",
          code: "too.many.requests.retry.after",
          status: 429,
          details: [],
          errors: [],
        },
        text: "{}",
        error: loginAxiosError(),
      },
      "postUsersSearch",
    );
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e.toJSON()).toEqual({
      name: "UpstreamError",
      kind: "http",
      status: 429,
      message: "Rate limit exceeded the maximum. Retry the request in [42] seconds",
      genesysCode: "too.many.requests.retry.after",
      correlationId: "corr-429",
      retryAfterSeconds: 42,
      operation: "postUsersSearch",
    });
    expectNoCredentials(e);
  });

  it("reads a default-mode ErrorBody (no headers): contextId and the wait stated in the message", () => {
    const e = toUpstreamError({
      message: "Rate limit exceeded the maximum. Retry the request in [17] seconds",
      code: "too.many.requests.retry.after",
      status: 429,
      contextId: "ctx-17",
      details: [],
      errors: [],
    });
    expect(e).toMatchObject({ kind: "http", status: 429, correlationId: "ctx-17", retryAfterSeconds: 17 });
  });

  it("reads a 403 missing.permissions body with messageParams, keeping only string params", () => {
    const e = toUpstreamError({
      message: "Unable to perform the requested action. You are missing the following permission(s): [directory:user:view]",
      code: "missing.permissions",
      status: 403,
      messageParams: { permissions: "directory:user:view", nested: { evil: true }, n: 3 },
      contextId: "ctx-403",
    });
    expect(e).toMatchObject({ status: 403, genesysCode: "missing.permissions", correlationId: "ctx-403" });
    expect(e.messageParams).toEqual({ permissions: "directory:user:view" });
  });

  it("reads a login AxiosError (OAuth body) and copies nothing else", () => {
    const e = toUpstreamError(loginAxiosError(), "loginClientCredentialsGrant");
    expect(e.toJSON()).toEqual({
      name: "UpstreamError",
      kind: "http",
      status: 401,
      message: "authentication failed",
      genesysCode: "invalid_client",
      correlationId: "corr-login-1",
      operation: "loginClientCredentialsGrant",
    });
    expect(Object.keys(e).sort()).toEqual(
      ["name", "kind", "status", "genesysCode", "messageParams", "correlationId", "retryAfterSeconds", "operation", "networkCode"].sort(),
    );
    expect(e.cause).toBeUndefined();
    expectNoCredentials(e);
    expectNoCredentials(appErrorFromUpstream(e));
    expectNoCredentials(toErrorResponse(appErrorFromUpstream(e)));
  });

  it("scrubs credentials even if an upstream message echoes them", () => {
    const e = toUpstreamError({ status: 400, code: "bad.request", message: `header was ${BASIC} and Bearer ${BEARER_TOKEN}` });
    expect(e.message).toBe("header was Basic [redacted] and Bearer [redacted]");
    expectNoCredentials(e);
  });

  it.each([
    ["ECONNREFUSED", "network"],
    ["ECONNRESET", "network"],
    ["ENOTFOUND", "network"],
    ["ERR_NETWORK", "network"],
    ["ECONNABORTED", "timeout"],
    ["ETIMEDOUT", "timeout"],
    ["ERR_CANCELED", "timeout"],
  ])("classifies a response-less AxiosError with code %s as %s", (code, kind) => {
    const raw = Object.assign(new Error(`failed: ${code}`), {
      name: "AxiosError",
      isAxiosError: true,
      code,
      config: { headers: { Authorization: `Bearer ${BEARER_TOKEN}` } },
    });
    const e = toUpstreamError(raw, "getUsers");
    expect(e).toMatchObject({ kind, status: 0, networkCode: code, operation: "getUsers" });
    expectNoCredentials(e);
  });

  it("classifies AbortSignal timeouts and aborts as timeouts", () => {
    expect(toUpstreamError(new DOMException("The operation timed out.", "TimeoutError")).kind).toBe("timeout");
    expect(toUpstreamError(new DOMException("aborted", "AbortError")).kind).toBe("timeout");
  });

  it("treats HTML and non-JSON bodies as opaque, parses JSON text bodies", () => {
    const html = toUpstreamError({ status: 502, statusText: "Bad Gateway", headers: {}, body: "<html>nginx</html>", text: "", error: {} });
    expect(html).toMatchObject({ kind: "http", status: 502, message: "HTTP 502 Bad Gateway" });
    expect(html.message).not.toContain("nginx");

    const jsonText = toUpstreamError({ status: 503, headers: {}, body: '{"code":"service.unavailable","message":"down"}', error: {} });
    expect(jsonText).toMatchObject({ status: 503, genesysCode: "service.unavailable", message: "down" });

    expect(toUpstreamError("<html>oops</html>")).toMatchObject({ kind: "malformed", status: 0 });
  });

  it("falls back to the nested AxiosError when an extended rejection has no status", () => {
    const e = toUpstreamError({ status: undefined, headers: undefined, body: undefined, error: { isAxiosError: true, code: "ECONNREFUSED", message: "connect ECONNREFUSED" } });
    expect(e.kind).toBe("network");
  });

  it("rejects odd correlation ids and takes header values case-insensitively", () => {
    const e = toUpstreamError({ status: 500, headers: { "ININ-Correlation-Id": "ok-id" }, body: { contextId: "bad id\nwith newline" }, error: {} });
    expect(e.correlationId).toBe("ok-id");
  });

  it("marks success statuses in a rejection and unknown values as malformed", () => {
    expect(toUpstreamError({ status: 200, headers: {}, body: "not json", error: {} }).kind).toBe("malformed");
    expect(toUpstreamError(undefined)).toMatchObject({ kind: "malformed", status: 0 });
    expect(toUpstreamError(42).kind).toBe("malformed");
  });

  it("returns an UpstreamError unchanged, adding the operation only when missing", () => {
    const original = new UpstreamError({ kind: "network", message: "x" });
    expect(toUpstreamError(original)).toBe(original);
    expect(toUpstreamError(original, "getUser").operation).toBe("getUser");
    const named = new UpstreamError({ kind: "network", message: "x", operation: "getUsers" });
    expect(toUpstreamError(named, "getUser")).toBe(named);
  });
});

describe("appErrorFromUpstream", () => {
  const httpError = (status: number, extra: Partial<ConstructorParameters<typeof UpstreamError>[0]> = {}) =>
    new UpstreamError({ kind: "http", status, message: `HTTP ${status}`, correlationId: "corr", ...extra });

  it.each<[string, string, number, UpstreamError]>([
    ["401", "upstream_unauthorized", 502, httpError(401)],
    ["403", "upstream_forbidden", 403, httpError(403)],
    ["404", "not_found", 404, httpError(404)],
    ["408", "upstream_timeout", 504, httpError(408)],
    ["429", "upstream_rate_limited", 503, httpError(429, { retryAfterSeconds: 5 })],
    ["500", "upstream_unavailable", 502, httpError(500)],
    ["502", "upstream_unavailable", 502, httpError(502)],
    ["503", "upstream_unavailable", 502, httpError(503)],
    ["504", "upstream_timeout", 504, httpError(504)],
    ["400", "upstream_bad_request", 502, httpError(400)],
    ["409", "upstream_bad_request", 502, httpError(409)],
    ["timeout", "upstream_timeout", 504, new UpstreamError({ kind: "timeout", message: "t" })],
    ["network", "upstream_unavailable", 502, new UpstreamError({ kind: "network", message: "n" })],
    ["malformed", "upstream_bad_response", 502, new UpstreamError({ kind: "malformed", status: 200, message: "m" })],
  ])("maps %s to %s (%d)", (_label, code, status, upstream) => {
    const app = appErrorFromUpstream(upstream);
    expect(app.code).toBe(code);
    expect(app.status).toBe(status);
    expect(app.cause).toBe(upstream);
  });

  it("names the missing permission and division for a 403 missing.permissions", () => {
    const upstream = toUpstreamError({
      message: "Unable to perform the requested action. You are missing the following permission(s): [directory:user:view]",
      code: "missing.permissions",
      status: 403,
      contextId: "ctx-9",
    });
    const app = appErrorFromUpstream(upstream, { divisionId: "div-1", divisionName: "Acme" });
    expect(app.code).toBe("upstream_forbidden");
    expect(app.message).toBe('Tenantscope\'s Genesys Cloud client lacks the permission directory:user:view in division "Acme".');
    expect(toErrorResponse(app)).toEqual({
      status: 403,
      headers: { "Cache-Control": "no-store" },
      body: {
        error: {
          code: "upstream_forbidden",
          message: app.message,
          permission: "directory:user:view",
          divisionId: "div-1",
          divisionName: "Acme",
          correlationId: "ctx-9",
          genesysCode: "missing.permissions",
          upstreamStatus: 403,
        },
      },
    });
  });

  it("finds permissions in messageParams and in every 403 template", () => {
    expect(extractPermissions({ message: "no", messageParams: { p: "directory:user:view" } })).toEqual(["directory:user:view"]);
    expect(
      extractPermissions({
        message: "…at least one of the following permissions assigned: authorization:grant:view, directory:user:* in at least one of the following division(s): d1",
        messageParams: undefined,
      }),
    ).toEqual(["authorization:grant:view", "directory:user:*"]);
    expect(extractPermissions({ message: "You are not authorized to perform the requested action.", messageParams: undefined })).toEqual([]);
  });

  it("reports a missing scope, and a bare denial, without inventing a permission", () => {
    const scope = appErrorFromUpstream(httpError(403, { genesysCode: "app.not.authorized.for.scope", message: "App not authorized to use scope users:readonly" }));
    expect(scope.details).toMatchObject({ scope: "users:readonly" });
    expect(scope.details?.permission).toBeUndefined();
    const bare = appErrorFromUpstream(httpError(403, { genesysCode: "not.authorized", message: "You are not authorized to perform the requested action." }), {
      divisionId: "div-2",
    });
    expect(bare.message).toBe("Genesys Cloud denied access in division div-2.");
  });

  it("names the division in a 404 when known and carries Retry-After for 429", () => {
    expect(appErrorFromUpstream(httpError(404), { divisionId: "div-3" }).message).toBe("Division div-3 was not found in Genesys Cloud.");
    const limited = toErrorResponse(appErrorFromUpstream(httpError(429, { retryAfterSeconds: 30 })));
    expect(limited.headers["Retry-After"]).toBe("30");
    expect(limited.body.error.retryAfterSeconds).toBe(30);
  });
});

// The shapes above are hand-built; these cases take them from the real SDK.
describe("toUpstreamError with real SDK rejections", () => {
  interface SdkClient {
    timeout: number;
    setGateway(gateway: { host: string; protocol: string; port: number }): void;
    setReturnExtendedResponses(value: boolean): void;
    setAccessToken(token: string): void;
    loginClientCredentialsGrant(clientId: string, clientSecret: string): Promise<unknown>;
  }
  interface SdkModule {
    ApiClientClass: new () => SdkClient;
    SearchApi: new (client: SdkClient) => { postUsersSearch(body: unknown): Promise<unknown> };
  }
  const sdk = platformClient as unknown as SdkModule;

  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url?.startsWith("/oauth/token")) {
        res.writeHead(401, { "content-type": "application/json", "inin-correlation-id": "corr-login" });
        res.end(JSON.stringify({ error: "invalid_client", description: "authentication failed", error_description: "authentication failed" }));
      } else {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "42", "inin-correlation-id": "corr-429" });
        res.end(
          JSON.stringify({
            message: "Rate limit exceeded the maximum. Retry the request in [42] seconds",
            code: "too.many.requests.retry.after",
            status: 429,
            contextId: "corr-429",
            details: [],
            errors: [],
          }),
        );
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function client(targetPort = port): SdkClient {
    const c = new sdk.ApiClientClass();
    c.setGateway({ host: "127.0.0.1", protocol: "http", port: targetPort });
    c.setAccessToken(BEARER_TOKEN);
    return c;
  }

  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (raw) {
      return raw;
    }
    throw new Error("expected a rejection");
  }

  it("login failure: the raw AxiosError holds the Basic header; the conversion does not", async () => {
    const raw = await rejection(client().loginClientCredentialsGrant("my-client-id", SECRET));
    expect(util.inspect(raw, { depth: 4 })).toContain(BASIC); // the hazard is real
    const e = toUpstreamError(raw, "loginClientCredentialsGrant");
    expect(e).toMatchObject({ kind: "http", status: 401, genesysCode: "invalid_client", correlationId: "corr-login" });
    expectNoCredentials(e);
  });

  it("default mode 429: the bare body, wait read from the message", async () => {
    const raw = await rejection(new sdk.SearchApi(client()).postUsersSearch({}));
    expect(toUpstreamError(raw)).toMatchObject({ status: 429, correlationId: "corr-429", retryAfterSeconds: 42 });
  });

  it("extended mode 429: headers available, Bearer token not copied", async () => {
    const c = client();
    c.setReturnExtendedResponses(true);
    const raw = await rejection(new sdk.SearchApi(c).postUsersSearch({}));
    const e = toUpstreamError(raw, "postUsersSearch");
    expect(e).toMatchObject({ kind: "http", status: 429, genesysCode: "too.many.requests.retry.after", retryAfterSeconds: 42 });
    expectNoCredentials(e);
  });

  it("network failure: ECONNREFUSED", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const raw = await rejection(new sdk.SearchApi(client(closedPort)).postUsersSearch({}));
    const e = toUpstreamError(raw);
    expect(e).toMatchObject({ kind: "network", status: 0, networkCode: "ECONNREFUSED" });
    expectNoCredentials(e);
  });

  it("timeout: the SDK's axios timeout (ECONNABORTED)", async () => {
    // Accepts connections and never answers.
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const c = client((silent.address() as AddressInfo).port);
      c.timeout = 100; // read when the SDK lazily builds its http client
      const raw = await rejection(new sdk.SearchApi(c).postUsersSearch({}));
      const e = toUpstreamError(raw, "postUsersSearch");
      expect(e).toMatchObject({ kind: "timeout", status: 0, networkCode: "ECONNABORTED" });
      expectNoCredentials(e);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
