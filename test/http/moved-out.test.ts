// Issue 12, finding 7, end to end: users who move out of a division while it is fetched must not be in the
// list a manager is served (nor cached). The emulator's moveDuringPaging fault moves users in and out of the
// searched division on each search request for a page past the first; the oracle is the emulator's directory
// read after the responses, never the app's own reads. And a result whose figures do not add up must not be
// served from the cache as fresh.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { DEMO } from "@/emulator/seed";
import { divisionUsersPayloadSchema, type DivisionUsersPayload } from "@/lib/shared/contract";
import { parseBody } from "@/test/support/bff-bodies";
import { signIn, type CookieJar } from "@/test/support/http-session";
import { memberIds, sendText, startHttpStack, type Stack } from "@/test/support/http-stack";

const { acme: ACME, globex: GLOBEX, initech: INITECH, umbrella: UMBRELLA } = DEMO.divisions;
// Every move happens on the first two search requests for a later page. Initech's inactive users take 3 search
// pages and Umbrella's 12, so each of their fetches has its last search page after every move.
const MOVES = { moveDuringPaging: { perRequest: 5, maxMoves: 10 } };

interface Served {
  divisionId: string;
  payload: DivisionUsersPayload;
}

/** A stack of the app and the emulator with three demo sessions; each describe has its own (a minute's request budget each). */
function stackOn(port: number) {
  const ctx = {} as { stack: Stack; ana: CookieJar; ben: CookieJar; admin: CookieJar };
  beforeAll(async () => {
    ctx.stack = await startHttpStack(port, { FORCE_REFRESH_MIN_INTERVAL_SECONDS: "0" });
    const jar = async (email: string) => (await signIn(ctx.stack.appUrl, email)).jar;
    [ctx.ana, ctx.ben, ctx.admin] = await Promise.all([jar(DEMO.staff.ana.email), jar(DEMO.staff.ben.email), jar(DEMO.staff.admin.email)]);
    // Initech's first fetch reads the org's active users in one pass (2,500 users: the cheaper way), and caches it.
    await usersOf(ctx.stack, INITECH, ctx.ben);
  });
  afterAll(async () => {
    await ctx.stack?.stop();
  });
  return ctx;
}

/** The users route: a read (GET), or with `refresh` the forced refetch (POST). */
async function usersOf(stack: Stack, divisionId: string, jar: CookieJar, refresh: "refresh" | "" = ""): Promise<Served> {
  const res = await sendText(`${stack.appUrl}/api/divisions/${divisionId}/users`, { jar, method: refresh ? "POST" : "GET" });
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return { divisionId, payload: parseBody(divisionUsersPayloadSchema, res.text) };
}

/** Served users the directory, read now, places in another division (or none): must be none. */
async function outsiders(stack: Stack, served: Served): Promise<string[]> {
  const members = new Set(await memberIds(stack.emulator.url, served.divisionId));
  return served.payload.users.filter((u) => !members.has(u.id)).map((u) => `${u.id} (now in ${stack.emulator.state.users.get(u.id)?.divisionId ?? "no division"})`);
}

async function expectExactlyMembers(stack: Stack, served: Served): Promise<void> {
  expect(await outsiders(stack, served), served.divisionId).toEqual([]);
  expect(served.payload.users.map((u) => u.id).sort()).toEqual(await memberIds(stack.emulator.url, served.divisionId));
}

describe("users who move out of a division during its fetch", () => {
  const ctx = stackOn(3230);

  test("a manager's list holds nobody who moved out while it was fetched over a cached org pass; they are counted as dropped", async () => {
    const { stack, ben } = ctx;
    stack.emulator.setFaults(MOVES);
    try {
      const before = await memberIds(stack.emulator.url, INITECH);
      const served = await usersOf(stack, INITECH, ben, "refresh");
      const after = new Set(await memberIds(stack.emulator.url, INITECH));
      const left = before.filter((id) => !after.has(id));
      expect(left.length, "the fault moved members out").toBeGreaterThan(0);
      expect(served.payload.cache.freshness).toBe("loaded");
      await expectExactlyMembers(stack, served);
      expect(served.payload.meta.isolation.droppedCount).toBe(left.length);
    } finally {
      stack.emulator.setFaults({ moveDuringPaging: false });
    }
  });

  test("a result that does not add up is served as stale on the next request, which starts a refetch", async () => {
    const { stack, ana } = ctx;
    // The app learned how this org counts users (active and inactive) on its first fetch; from now on Genesys
    // counts only the active ones, so no list of a division with inactive users can agree with the count.
    stack.emulator.setFaults({ objectCountStates: "active" });
    try {
      const first = await usersOf(stack, ACME, ana);
      expect(first.payload.cache.freshness).toBe("loaded");
      expect(first.payload.meta.consistent).toBe(false);
      const next = await usersOf(stack, ACME, ana);
      expect(next.payload.meta.consistent).toBe(false);
      expect(next.payload.cache).toMatchObject({ freshness: "stale", stale: true, revalidating: true });
    } finally {
      stack.emulator.setFaults({ objectCountStates: false });
    }
  });
});

describe("users who move out of divisions fetched at once", () => {
  const ctx = stackOn(3231);

  test("with concurrent fetches of several divisions over one org pass, no list holds a user who moved out", async () => {
    const { stack, ben, admin } = ctx;
    stack.emulator.setFaults(MOVES);
    let served: Served[];
    try {
      const before = await memberIds(stack.emulator.url, INITECH);
      served = await Promise.all([usersOf(stack, INITECH, ben, "refresh"), usersOf(stack, UMBRELLA, admin), usersOf(stack, INITECH, admin, "refresh")]);
      expect(await memberIds(stack.emulator.url, INITECH), "the fault moved users").not.toEqual(before);
    } finally {
      stack.emulator.setFaults({ moveDuringPaging: false });
    }
    for (const s of served) await expectExactlyMembers(stack, s);
    // A division fetched afterwards over the cached pass (Globex: its 350 users cost fewer calls that way)
    // lists nobody who moved since that pass was read either.
    await expectExactlyMembers(stack, await usersOf(stack, GLOBEX, ben));
  });
});
