// Every emulator fault and limit, observed the way a client sees them: over HTTP, with plain fetch. Faults are
// switched with PUT /__emulator/faults; the ground truth comes from /__emulator/divisions/{id}/user-ids.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DEFAULT_KNOBS } from "@/emulator/knobs";
import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator, type StatsSnapshot } from "@/emulator/server";
import {
  apiJson,
  apiRequest,
  control,
  divisionSearch,
  fetchToken,
  groundTruth,
  idsOf,
  isErrorBody,
  searchAllPages,
  type ErrorBody,
  type SearchPage,
} from "../support/genesys-test-clients";
import { runEmulatorCli } from "../support/emulator-cli";

const { acme: ACME, globex: GLOBEX, initech: INITECH, umbrella: UMBRELLA } = DEMO.divisions;
const HOME_PATH = "/api/v2/authorization/divisions/home";

let emu: RunningEmulator;
let url: string;
let token: string;

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
const setFaults = (faults: Record<string, unknown>) => control<Record<string, unknown>>(url, "PUT", "faults", faults);
const get = (path: string, tok: string = token) => apiRequest(url, tok, path);

function errorBodyOf(text: string): ErrorBody {
  const body: unknown = JSON.parse(text);
  if (!isErrorBody(body)) throw new Error(`not an ErrorBody: ${text}`);
  return body;
}

/** The directory's view of users (GET /api/v2/users?id=…&state=any), in chunks of 100. */
async function directoryDivisions(ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const res = await apiJson<{ entities: { id: string; division: { id: string } }[] }>(
      url,
      token,
      `/api/v2/users?pageSize=100&state=any&id=${chunk.join(",")}`,
    );
    expect(res.status).toBe(200);
    for (const u of res.body.entities) out.set(u.id, u.division.id);
  }
  return out;
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  url = emu.url;
});

afterAll(async () => {
  await emu?.stop();
});

// Every test starts from the seed with no faults, empty stats and a fresh token (rate windows are per token).
beforeEach(async () => {
  await control(url, "POST", "reset");
  token = await fetchToken(url, DEMO.clients.bff);
});

describe("latency", () => {
  it("delays API responses by at least latencyMs, with and without jitter (lower bound only)", async () => {
    const baseline = await get(HOME_PATH);
    expect(baseline.status).toBe(200);

    await setFaults({ latencyMs: 150 });
    for (let i = 0; i < 3; i++) {
      const res = await get(HOME_PATH);
      expect(res.status).toBe(200);
      expect(res.ms).toBeGreaterThanOrEqual(145); // timers have ~1 ms granularity
    }
    await setFaults({ latencyMs: 100, jitterMs: 40 });
    for (let i = 0; i < 3; i++) expect((await get(HOME_PATH)).ms).toBeGreaterThanOrEqual(55);

    const faults = await control<Record<string, unknown>>(url, "GET", "faults");
    expect(faults).toMatchObject({ latencyMs: 100, jitterMs: 40 });
  });
});

describe("rate limits", () => {
  it("allows 300 requests per minute per token (default); the 301st is 429 with Retry-After; another token is unaffected", async () => {
    for (let i = 1; i <= 300; i++) {
      const res = await get(HOME_PATH);
      if (res.status !== 200) throw new Error(`request ${i} got ${res.status}`);
    }
    const limited = await get(HOME_PATH);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = errorBodyOf(limited.text);
    expect(body).toMatchObject({ status: 429, code: "too.many.requests.retry.after" });
    expect(body.message).toContain(`[${retryAfter}]`);
    expect(limited.headers.get("inin-correlation-id")).toBe(body.contextId);
    // The stats tell the limiter's own refusals apart (tests assert that the app never meets it).
    expect(emu.stats().rateLimited).toBe(1);

    const other = await fetchToken(url, DEMO.clients.bff);
    expect((await get(HOME_PATH, other)).status).toBe(200);
    expect((await get(HOME_PATH)).status).toBe(429); // the first token stays limited
    expect(emu.stats().rateLimited).toBe(2);
  });

  it("p429 at rate 1: every API request is 429 with Retry-After", async () => {
    await setFaults({ p429: 1 });
    for (let i = 0; i < 10; i++) {
      const res = await get(HOME_PATH);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(errorBodyOf(res.text).code).toBe("too.many.requests.retry.after");
    }
    // An injected 429 is not the limiter's: only the limiter's refusals are counted as rate-limited.
    expect(emu.stats().rateLimited).toBe(0);
  });

  it("p429 at rate 0.3: between 15% and 45% of 200 requests are 429", async () => {
    await setFaults({ p429: 0.3 });
    let limited = 0;
    for (let i = 0; i < 200; i++) {
      const res = await get(HOME_PATH);
      expect([200, 429]).toContain(res.status);
      if (res.status === 429) limited++;
    }
    expect(limited).toBeGreaterThanOrEqual(30);
    expect(limited).toBeLessThanOrEqual(90);
  });
});

describe("server failures", () => {
  it("p5xx: 500, 503 and 504, each with an ErrorBody whose contextId is the correlation id", async () => {
    await setFaults({ p5xx: 1 });
    const seen = new Map<number, string>();
    for (let i = 0; i < 40; i++) {
      const res = await get(HOME_PATH);
      const body = errorBodyOf(res.text);
      expect(body.status).toBe(res.status);
      expect(res.headers.get("inin-correlation-id")).toBe(body.contextId);
      seen.set(res.status, body.code);
    }
    expect(Object.fromEntries(seen)).toEqual({ 500: "internal.server.error", 503: "service.unavailable", 504: "request.timeout" });
  });

  it("timeoutRate: a request hangs until the client aborts it; stop() still returns promptly", async () => {
    const own = await startEmulator({ port: 0 });
    let stopped = false;
    try {
      const ownToken = await fetchToken(own.url, DEMO.clients.bff);
      await control(own.url, "PUT", "faults", { timeoutRate: { rate: 1, hangMs: 60_000 } });

      const started = performance.now();
      const aborted = await apiRequest(own.url, ownToken, HOME_PATH, { signal: AbortSignal.timeout(300) }).then(
        () => new Error("the request was answered"),
        (e: unknown) => e,
      );
      expect(aborted).toBeInstanceOf(Error);
      expect((aborted as Error).name).toBe("TimeoutError");
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);

      // One request is still hanging when the emulator stops: stop() must not wait for hangMs.
      const pending = apiRequest(own.url, ownToken, HOME_PATH).then(
        () => "answered",
        () => "failed",
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(own.stats().byOperation.getAuthorizationDivisionsHome).toEqual({ 0: 2 });
      const stopStarted = performance.now();
      await own.stop();
      stopped = true;
      expect(performance.now() - stopStarted).toBeLessThan(1_000);
      expect(await pending).toBe("failed");
    } finally {
      if (!stopped) await own.stop();
    }
  });

  it("malformedRate at rate 1: 200 responses whose JSON body is cut off", async () => {
    await setFaults({ malformedRate: 1 });
    for (const path of [HOME_PATH, `/api/v2/authorization/divisions/${GLOBEX}`]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(res.text.length).toBeGreaterThan(0);
      expect(() => JSON.parse(res.text) as unknown).toThrow(SyntaxError);
    }
    // Errors are not truncated.
    const missing = await get("/api/v2/authorization/divisions/00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(errorBodyOf(missing.text).code).toBe("not.found");
  });
});

describe("search index faults", () => {
  it("leak: a division search also returns users of other divisions, with their true division, counted in total", async () => {
    const truth = await groundTruth(url, GLOBEX);
    await setFaults({ leak: { count: 3 } });
    const pages = await searchAllPages(url, token, GLOBEX);
    const results = pages.flatMap((p) => p.results ?? []);
    const foreign = results.filter((u) => u.division.id !== GLOBEX);

    expect(foreign).toHaveLength(3);
    expect(pages[0]?.total).toBe(truth.length + 3);
    expect(results).toHaveLength(truth.length + 3);
    expect(sorted(results.filter((u) => u.division.id === GLOBEX).map((u) => u.id))).toEqual(truth);
    // The leaked users carry their real division, as the directory has it.
    const directory = await directoryDivisions(foreign.map((u) => u.id));
    for (const u of foreign) expect(directory.get(u.id)).toBe(u.division.id);

    await setFaults({ leak: false });
    expect(sorted(idsOf(await searchAllPages(url, token, GLOBEX)))).toEqual(truth);
  });

  it("staleIndex: search still shows moved users in their old division; the directory and the ground truth do not", async () => {
    const before = await groundTruth(url, GLOBEX);
    const acmeBefore = await groundTruth(url, ACME);
    await setFaults({ staleIndex: { count: 5 } });
    const after = await groundTruth(url, GLOBEX);

    const results = (await searchAllPages(url, token, GLOBEX)).flatMap((p) => p.results ?? []);
    expect(results.every((u) => u.division.id === GLOBEX)).toBe(true); // the index's (stale) view
    expect(sorted(results.map((u) => u.id))).toEqual(before);

    const directory = await directoryDivisions(results.map((u) => u.id));
    const movedOut = results.filter((u) => directory.get(u.id) !== GLOBEX);
    expect(movedOut).toHaveLength(5);
    for (const u of movedOut) {
      expect(directory.get(u.id)).toBe(INITECH); // each custom division's users went to the next one
      expect(after).not.toContain(u.id);
    }
    // Users that moved in (from Acme) are in the ground truth but not in the search results.
    const movedIn = after.filter((id) => !before.includes(id));
    expect(movedIn).toHaveLength(5);
    expect([...(await directoryDivisions(movedIn)).values()]).toEqual(new Array<string>(5).fill(GLOBEX));
    expect(movedIn.every((id) => acmeBefore.includes(id))).toBe(true);

    // Clearing the fault reindexes: search catches up with the directory.
    await setFaults({ staleIndex: false });
    expect(sorted(idsOf(await searchAllPages(url, token, GLOBEX)))).toEqual(after);
  });

  it("moveDuringPaging: users move between page requests, so the pages disagree with the ground truth; moves stop after maxMoves", async () => {
    const maxMoves = 10;
    const before = await groundTruth(url, GLOBEX);
    await setFaults({ moveDuringPaging: { perRequest: 1, maxMoves } });

    // pageSize 25: 13 requests for page 2 or later, more than maxMoves.
    const firstPass = await searchAllPages(url, token, GLOBEX, 25);
    expect(firstPass.length).toBeGreaterThan(maxMoves + 1);
    const afterFirst = await groundTruth(url, GLOBEX);
    expect(afterFirst).not.toEqual(before);
    const changed = before.filter((id) => !afterFirst.includes(id)).length + afterFirst.filter((id) => !before.includes(id)).length;
    expect(changed).toBeGreaterThanOrEqual(1);
    expect(changed).toBeLessThanOrEqual(maxMoves);
    // What a naive client collected (duplicates, misses, users who left) is not the division as it now stands.
    expect(sorted(idsOf(firstPass))).not.toEqual(afterFirst);
    // Each move shows as a change of `total` between consecutive pages, and only up to maxMoves of them.
    const totalChanges = (pages: readonly SearchPage[]) => pages.slice(1).filter((p, i) => p.total !== pages[i]?.total).length;
    expect(totalChanges(firstPass)).toBeGreaterThanOrEqual(1);
    expect(totalChanges(firstPass)).toBeLessThanOrEqual(maxMoves);
    expect(totalChanges(firstPass.slice(maxMoves + 1))).toBe(0);

    // maxMoves is spent: a second full pass sees a stable division and matches the ground truth.
    const secondPass = await searchAllPages(url, token, GLOBEX, 25);
    expect(totalChanges(secondPass)).toBe(0);
    expect(await groundTruth(url, GLOBEX)).toEqual(afterFirst);
    expect(sorted(idsOf(secondPass))).toEqual(afterFirst);
  });
});

describe("token revocation", () => {
  it("revokeTokens (now): the next call with an existing token is 401 bad.credentials; new tokens work", async () => {
    expect((await get(HOME_PATH)).status).toBe(200);
    const faults = await setFaults({ revokeTokens: true });
    expect(faults.revokeTokens).toBe(false); // an event, not a standing condition

    const res = await get(HOME_PATH);
    expect(res.status).toBe(401);
    expect(errorBodyOf(res.text).code).toBe("bad.credentials");

    const fresh = await fetchToken(url, DEMO.clients.bff);
    expect((await get(HOME_PATH, fresh)).status).toBe(200);
  });

  it("revokeTokens { afterRequests: 5 }: the 5th following API request gets 401", async () => {
    await setFaults({ revokeTokens: { afterRequests: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(HOME_PATH)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 401, 401]);
  });
});

describe("reset and stats", () => {
  it("reset restores the seed and clears faults, stats and tokens", async () => {
    const truth = await groundTruth(url, GLOBEX);
    const mover = truth[0] ?? "";
    await control(url, "POST", `users/${mover}/move`, { divisionId: ACME });
    await setFaults({ p429: 1, leak: true, latencyMs: 5 });
    expect((await get(HOME_PATH)).status).toBe(429);
    expect(await groundTruth(url, GLOBEX)).not.toContain(mover);
    expect((await control<StatsSnapshot>(url, "GET", "stats")).total).toBeGreaterThan(0);

    expect(await control(url, "POST", "reset")).toEqual({ status: "reset" });

    expect(await groundTruth(url, GLOBEX)).toEqual(truth);
    expect(await control(url, "GET", "faults")).toEqual({
      latencyMs: 0,
      jitterMs: 0,
      rateLimitPerMinute: null,
      p429: 0,
      p5xx: 0,
      timeoutRate: false,
      malformedRate: 0,
      leak: false,
      staleIndex: false,
      moveDuringPaging: false,
      revokeTokens: false,
      ...DEFAULT_KNOBS, // the realism knobs share this view (their values are pinned in knobs.test.ts)
    });
    expect(await control(url, "GET", "stats")).toEqual({ total: 0, byOperation: {}, byClient: {}, tokensByClient: {}, tokensIssued: 0, rateLimited: 0 });
    expect((await get(HOME_PATH)).status).toBe(401); // tokens were part of the old state
    const health = await control<{ status: string; users: number }>(url, "GET", "health");
    expect(health).toMatchObject({ status: "ok", org: DEMO.orgName, seed: 1 });
  });

  it("stats count requests per operation and status; control routes are not counted", async () => {
    await control(url, "DELETE", "stats");
    const misconfigured = await fetchToken(url, DEMO.clients.misconfigured);
    await apiRequest(url, token, "/api/v2/users/search", { body: divisionSearch(GLOBEX, 1) });
    await apiRequest(url, token, "/api/v2/users/search", { body: divisionSearch(GLOBEX, 2) });
    await apiRequest(url, misconfigured, "/api/v2/users/search", { body: divisionSearch(GLOBEX, 1) });
    await get(`/api/v2/users?id=${"x,".repeat(101)}`);
    await get(HOME_PATH, "not-a-token");
    await get("/api/v2/nowhere");
    await control(url, "GET", "health");

    const stats = await control<StatsSnapshot>(url, "GET", "stats");
    expect(stats).toEqual({
      total: 7,
      tokensIssued: 1,
      rateLimited: 0,
      tokensByClient: { [DEMO.clients.misconfigured.id]: 1 },
      // Authenticated API requests, by the client that holds the token (the 401 above is nobody's).
      byClient: { [DEMO.clients.bff.id]: 4, [DEMO.clients.misconfigured.id]: 1 },
      byOperation: {
        oauthToken: { 200: 1 },
        postUsersSearch: { 200: 2, 403: 1 },
        getUsers: { 400: 1 },
        getAuthorizationDivisionsHome: { 401: 1 },
        unknown: { 404: 1 },
      },
    });
    expect(emu.stats()).toEqual(stats);
  });
});

describe("documented limits", () => {
  const post = (body: Record<string, unknown>) => apiJson<SearchPage & Partial<ErrorBody>>(url, token, "/api/v2/users/search", { body });

  it("search pages through at most 10,000 results and at most 100 per page", async () => {
    const last = await post(divisionSearch(UMBRELLA, 100, 100));
    expect(last.status).toBe(200);
    expect(last.body.total).toBeGreaterThan(10_000);
    expect(last.body.pageCount).toBeGreaterThan(100);
    expect(last.body.results).toHaveLength(100);
    expect(last.body.nextPage).toBeUndefined(); // page 101 is outside the window
    expect(last.body.previousPage).toMatch(/^\/api\/v2\/users\/search\?q64=/);

    const beyond = await post(divisionSearch(UMBRELLA, 101, 100));
    expect(beyond.status).toBe(400);
    expect(beyond.body.code).toBe("too.many.requested.results");
    expect((await post(divisionSearch(UMBRELLA, 200, 50))).status).toBe(200);
    expect((await post(divisionSearch(UMBRELLA, 201, 50))).body.code).toBe("too.many.requested.results");

    const tooBig = await post(divisionSearch(UMBRELLA, 1, 101));
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.message).toContain("100");
    expect((await post(divisionSearch(UMBRELLA, 1, 100))).body.results).toHaveLength(100);
  });

  it("GET /api/v2/users takes at most 100 ids (comma-joined or repeated)", async () => {
    const ids = (await groundTruth(url, UMBRELLA)).slice(0, 101);
    const hundred = await apiJson<{ total: number; entities: unknown[] }>(url, token, `/api/v2/users?pageSize=100&state=any&id=${ids.slice(0, 100).join(",")}`);
    expect(hundred.status).toBe(200);
    expect(hundred.body.entities).toHaveLength(100);

    const repeated = await apiJson<{ entities: unknown[] }>(url, token, `/api/v2/users?pageSize=100&state=any&${ids.slice(0, 100).map((id) => `id=${id}`).join("&")}`);
    expect(repeated.body.entities).toHaveLength(100);

    const tooMany = await apiRequest(url, token, `/api/v2/users?pageSize=100&state=any&id=${ids.join(",")}`);
    expect(tooMany.status).toBe(400);
    expect(errorBodyOf(tooMany.text)).toMatchObject({ code: "max.user.ids", message: "Only 100 users can be requested at a time." });
  });
});

describe("CLI", () => {
  it("starts on a free port, prints its URL, serves /__emulator/health and stops on SIGTERM", async () => {
    const cli = runEmulatorCli(["--port", "0"]);
    try {
      const base = await cli.listening;
      const health = await fetch(`${base}/__emulator/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", org: DEMO.orgName, seed: 1 });
      expect((await fetch(`${base}/api/v2/users`)).status).toBe(401);
    } finally {
      cli.kill();
    }
    const exit = await cli.exited;
    expect(exit.code === 0 || exit.signal === "SIGTERM").toBe(true);
  });

  it("exits non-zero on an invalid flag or value", async () => {
    const [unknownFlag, badPort] = await Promise.all([runEmulatorCli(["--no-such-flag"]).exited, runEmulatorCli(["--port", "abc"]).exited]);
    expect(unknownFlag.code).not.toBe(0);
    expect(unknownFlag.code).not.toBeNull();
    expect(unknownFlag.stderr).toMatch(/no-such-flag/);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain("--port must be an integer");
  });
});
