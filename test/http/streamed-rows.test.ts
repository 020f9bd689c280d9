// Issue 13, item 4, over HTTP (the fault tests come first, while no org pass is cached, so that Globex is read
// by search): a cold fetch streams rows lines (users the live directory confirmed during the
// fetch) before its result line, to every viewer that joined the fetch, and never a user of another division,
// even while search leaks, lags and has users move under it. The oracle is the emulator's directory.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { DEMO } from "@/emulator/seed";
import type { UsersStreamLine } from "@/lib/shared/contract";
import { parseUsersStream } from "@/test/support/bff-bodies";
import { signIn, type CookieJar } from "@/test/support/http-session";
import { memberIds, sendText, startHttpStack, type Stack } from "@/test/support/http-stack";

const { globex: GLOBEX, initech: INITECH, umbrella: UMBRELLA } = DEMO.divisions;

type Line = UsersStreamLine;
type RowsLine = Extract<Line, { type: "rows" }>;
type ResultLine = Extract<Line, { type: "result" }>;

interface Stream {
  rows: RowsLine[];
  result: ResultLine;
  streamed: string[];
}

/** The users route as NDJSON (GET, or POST: the forced refetch); the result must be the last line. */
async function usersStream(stack: Stack, divisionId: string, jar: CookieJar, method: "GET" | "POST" = "GET"): Promise<Stream> {
  const res = await sendText(`${stack.appUrl}/api/divisions/${divisionId}/users`, { jar, method, headers: { accept: "application/x-ndjson" } });
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/x-ndjson");
  const lines = parseUsersStream(res.text);
  const result = lines.at(-1);
  if (result?.type !== "result") throw new Error(`the last line is ${JSON.stringify(result).slice(0, 300)}, not the result`);
  expect(lines.slice(0, -1).map((l) => l.type).filter((t) => t !== "progress" && t !== "rows")).toEqual([]);
  const rows = lines.flatMap((l) => (l.type === "rows" ? [l] : []));
  return { rows, result, streamed: rows.flatMap((l) => l.users.map((u) => u.id)) };
}

describe("rows streamed ahead of the result", () => {
  let stack: Stack;
  let admin: CookieJar;

  beforeAll(async () => {
    stack = await startHttpStack(3250, { FORCE_REFRESH_MIN_INTERVAL_SECONDS: "0" });
    admin = (await signIn(stack.appUrl, DEMO.staff.admin.email)).jar;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  test.each([
    ["search", GLOBEX],
    ["an org pass", INITECH],
  ] as const)("with leak, staleIndex and moveDuringPaging, a refetch read by %s streams no one who was not a member during the fetch", async (_way, divisionId) => {
    stack.emulator.setFaults({ leak: { count: 5 }, staleIndex: { count: 5 }, moveDuringPaging: { perRequest: 2, maxMoves: 10 } });
    try {
      // The stale index has moved users already (behind its back); the moves during paging come with the fetch.
      const before = new Set(await memberIds(stack.emulator.url, divisionId));
      const s = await usersStream(stack, divisionId, admin, "POST");
      const after = new Set(await memberIds(stack.emulator.url, divisionId));
      const movedOut = [...before].filter((id) => !after.has(id));
      expect(movedOut.length, "the fault moved members out during the fetch").toBeGreaterThan(0);
      expect(s.streamed.length).toBeGreaterThan(0);
      const final = new Set(s.result.users.map((u) => u.id));
      expect(final).toEqual(after);
      // Streamed ⊆ the result ∪ those who left during the fetch: never a leaked or stale row of search.
      expect(s.streamed.filter((id) => !final.has(id) && !movedOut.includes(id))).toEqual([]);
      // Users search proposed (leaked, or stale in the index) who were no member at any time of the fetch.
      const dropped = s.result.meta.isolation.dropped ?? [];
      const strangers = dropped.map((d) => d.id).filter((id) => !before.has(id) && !after.has(id));
      expect(strangers.length, "search leaked or lagged").toBeGreaterThan(0);
      expect(s.streamed.filter((id) => strangers.includes(id))).toEqual([]);
    } finally {
      stack.emulator.setFaults({ leak: false, staleIndex: false, moveDuringPaging: false });
    }
  });

  test("a cold 12,000-user division: both viewers of the one fetch get rows lines before the result, each member once, nobody else", async () => {
    const truth = new Set(await memberIds(stack.emulator.url, UMBRELLA));
    expect(truth.size).toBeGreaterThan(10_000);
    // Two viewers at once share one fetch (single flight); the second may join after rows were sent, and is
    // then sent those at once.
    const streams = await Promise.all([usersStream(stack, UMBRELLA, admin), usersStream(stack, UMBRELLA, admin)]);
    for (const s of streams) {
      expect(s.rows.length, "rows lines before the result").toBeGreaterThan(1);
      expect(new Set(s.streamed).size).toBe(s.streamed.length);
      expect(s.streamed.filter((id) => !truth.has(id))).toEqual([]);
      expect(new Set(s.result.users.map((u) => u.id))).toEqual(truth);
      // The running count says how many were sent (rows still held when the result came are not sent: it
      // replaces them anyway).
      const counts = s.rows.map((l) => l.verified);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(counts.at(-1)).toBe(s.streamed.length);
      expect(s.rows.every((l) => l.expected === truth.size)).toBe(true);
    }
    // Warm: plain JSON, no stream at all.
    const warm = await sendText(`${stack.appUrl}/api/divisions/${UMBRELLA}/users`, { jar: admin, headers: { accept: "application/x-ndjson" } });
    expect(warm.headers.get("content-type")).toMatch(/^application\/json/);
  });
});
