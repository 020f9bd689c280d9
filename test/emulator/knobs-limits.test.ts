// The searchTypeLimits knob over real HTTP: per-token sliding 60 s windows for user search by criterion type
// (STARTS_WITH 240, else CONTAINS 100, else EXACT 4,000). The emulator runs on a test clock so that Retry-After
// and the window sliding can be checked exactly; the general per-token limit is lifted out of the way.
import { describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { fetchToken, type RawResponse } from "../support/genesys-test-clients";
import { errorBodyOf, getSearch, knobEnv, postSearch, setKnobs } from "./knob-helpers";

let clock = Date.parse("2026-02-02T09:00:00Z");
const env = knobEnv({ now: () => clock });
const advance = (seconds: number) => {
  clock += seconds * 1000;
};

const WAYNE = DEMO.divisions.wayne; // no users: the cheapest search there is
const EXACT = { pageSize: 1, query: [{ type: "EXACT", fields: ["divisionId"], values: [WAYNE] }] };
const CONTAINS = { pageSize: 1, query: [{ type: "CONTAINS", fields: ["name"], values: ["zz-nobody"] }] };
const STARTS_WITH = { pageSize: 1, query: [{ type: "STARTS_WITH", fields: ["name"], values: ["zz-nobody"] }] };
const MIXED = { pageSize: 1, query: [{ type: "EXACT", operator: "AND", group: [{ ...CONTAINS.query[0] }, { ...STARTS_WITH.query[0] }] }] };

/** Sends `n` searches, `parallel` at a time; returns the statuses seen (with counts). */
async function burst(n: number, send: () => Promise<RawResponse>, parallel = 1): Promise<Record<number, number>> {
  const seen: Record<number, number> = {};
  for (let done = 0; done < n; done += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, n - done) }, send));
    for (const res of batch) seen[res.status] = (seen[res.status] ?? 0) + 1;
  }
  return seen;
}

const post = (body: Record<string, unknown>, token = env.token) => () => postSearch(env.url, token, body);

function expect429(res: RawResponse, retryAfter: number): void {
  expect(res.status).toBe(429);
  expect(res.headers.get("retry-after")).toBe(String(retryAfter));
  const body = errorBodyOf(res);
  expect(body).toMatchObject({ status: 429, code: "too.many.requests.retry.after" });
  expect(body.message).toContain(`[${retryAfter}]`);
}

describe("searchTypeLimits", () => {
  it("off (default): no per-type limit (150 CONTAINS searches in a minute all succeed)", async () => {
    await setKnobs(env.url, { rateLimitPerMinute: 1_000_000 });
    expect(await burst(150, post(CONTAINS), 10)).toEqual({ 200: 150 });
  });

  it("on: CONTAINS allows 100 per 60 s per token; the 101st is 429 with Retry-After until the oldest frees a slot", async () => {
    await setKnobs(env.url, { rateLimitPerMinute: 1_000_000, searchTypeLimits: true });
    expect(await burst(50, post(CONTAINS), 10)).toEqual({ 200: 50 });
    advance(20);
    expect(await burst(50, post(CONTAINS), 10)).toEqual({ 200: 50 });
    expect429(await post(CONTAINS)(), 40);

    // Other types have windows of their own; another token has its own windows.
    expect((await post(EXACT)()).status).toBe(200);
    expect((await post(STARTS_WITH)()).status).toBe(200);
    const other = await fetchToken(env.url, DEMO.clients.bff);
    expect((await post(CONTAINS, other)()).status).toBe(200);

    advance(39);
    expect429(await post(CONTAINS)(), 1);
    advance(1); // the first 50 are now 60 s old and leave the window
    expect(await burst(50, post(CONTAINS), 10)).toEqual({ 200: 50 });
    expect429(await post(CONTAINS)(), 20);
  });

  it("on: STARTS_WITH allows 240; a query with STARTS_WITH and CONTAINS counts as STARTS_WITH only", async () => {
    await setKnobs(env.url, { rateLimitPerMinute: 1_000_000, searchTypeLimits: true });
    expect(await burst(140, post(MIXED), 10)).toEqual({ 200: 140 });
    expect(await burst(100, post(STARTS_WITH), 10)).toEqual({ 200: 100 });
    expect429(await post(STARTS_WITH)(), 60);
    expect429(await post(MIXED)(), 60);
    // The 140 mixed queries did not use the CONTAINS window.
    expect(await burst(100, post(CONTAINS), 10)).toEqual({ 200: 100 });
    expect429(await post(CONTAINS)(), 60);
  });

  // 4,000 real requests: a few seconds on an idle machine, given room for a busy shared one.
  it("on: EXACT allows 4,000, over POST and GET q64 alike; a query with no criteria is not counted", { timeout: 120_000 }, async () => {
    await setKnobs(env.url, { rateLimitPerMinute: 1_000_000, searchTypeLimits: true });
    expect(await burst(3_990, post(EXACT), 32)).toEqual({ 200: 3_990 });
    advance(30);
    expect(await burst(10, () => getSearch(env.url, env.token, EXACT), 10)).toEqual({ 200: 10 });
    expect429(await post(EXACT)(), 30);
    expect429(await getSearch(env.url, env.token, EXACT), 30);
    expect((await post({ pageSize: 1 })()).status).toBe(200);
    expect((await post(CONTAINS)()).status).toBe(200);
  });
});
