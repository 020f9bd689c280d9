// The confirming read (confirm.ts) against the local emulator: every id answered, ≤ 100 ids a call, and the
// order test that says whether an org pass is itself a read made after the last search page.
import { describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { readAfter, readDirectory, readMark } from "@/lib/server/divisions/confirm";
import type { OrgSnapshot } from "@/lib/server/divisions/org-snapshot-pass";

import { emulatorClient } from "../../../support/bff-client";
import { emulatorForFile } from "../../../support/emulator-fixture";

const { acme: ACME, initech: INITECH } = DEMO.divisions;
const env = emulatorForFile();

describe("readDirectory", () => {
  it("answers 250 ids, a repeat and an unknown id in 3 calls of at most 100 ids: the user, or null", async () => {
    const ids = env.emu.state.memberIds(INITECH).slice(0, 250);
    const unknown = "00000000-0000-4000-8000-000000000000";
    const client = emulatorClient(env.emu.url);
    const answers = await readDirectory(client, [...ids, ids[0] ?? "", unknown], {});
    expect(client.stats.calls.getUsers?.[200]).toBe(3);
    expect(answers.size).toBe(251);
    expect(answers.get(unknown)).toBeNull();
    for (const id of ids) expect(answers.get(id)?.division?.id).toBe(INITECH);
  });

  it("makes no call for no ids", async () => {
    const client = emulatorClient(env.emu.url);
    expect((await readDirectory(client, [], {})).size).toBe(0);
    expect(client.stats.calls.getUsers).toBeUndefined();
  });

  it("sees the division a user has now, not the one a search page showed", async () => {
    const [id] = env.emu.state.memberIds(INITECH, ["active"]);
    if (!id) throw new Error("seed: Initech has no active user");
    env.emu.state.moveUser(id, ACME);
    const answers = await readDirectory(emulatorClient(env.emu.url), [id], {});
    expect(answers.get(id)?.division?.id).toBe(ACME);
  });
});

describe("readAfter", () => {
  const pass = (readStartedAt?: number): OrgSnapshot => ({
    byDivision: new Map(),
    activeTotal: 0,
    listedTotal: 0,
    consistent: true,
    pages: 1,
    passes: 1,
    upstreamCalls: 1,
    fetchedAt: "2026-01-01T00:00:00.000Z",
    durationMs: 1,
    ...(readStartedAt === undefined ? {} : { readStartedAt }),
  });

  it("is true only for a pass this process began strictly after the mark", () => {
    const before = readMark();
    const searchEnded = readMark();
    expect(readAfter(pass(before), searchEnded)).toBe(false);
    // Begun at the very mark: which came first is not known, so it does not count as after.
    expect(readAfter(pass(searchEnded), searchEnded)).toBe(false);
    // Read by another instance (Redis): no mark on this process's order at all.
    expect(readAfter(pass(), searchEnded)).toBe(false);
    expect(readAfter(pass(searchEnded + 1), searchEnded)).toBe(true);
  });
});
