// How fast the emulator serves the largest division's full search window, so that app tests and benchmarks built
// on it measure the app, not the emulator. Not a timed assertion: the time is logged and only a generous bound
// (20 s, for a slow shared CI machine) is checked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import { apiJson, divisionSearch, fetchToken, groundTruth, type SearchPage } from "../support/genesys-test-clients";

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 }); // no latency, no faults
});

afterAll(async () => {
  await emu?.stop();
});

describe("emulator performance", () => {
  it("serves the 100 search pages (pageSize 100) of Umbrella Health sequentially well under 20 s", async () => {
    const umbrella = DEMO.divisions.umbrella;
    const truth = new Set(await groundTruth(emu.url, umbrella));
    expect(truth.size).toBeGreaterThan(10_000);
    const token = await fetchToken(emu.url, DEMO.clients.bff);

    const ids = new Set<string>();
    const pageMs: number[] = [];
    const started = performance.now();
    for (let pageNumber = 1; pageNumber <= 100; pageNumber++) {
      const pageStarted = performance.now();
      const res = await apiJson<SearchPage>(emu.url, token, "/api/v2/users/search", { body: divisionSearch(umbrella, pageNumber, 100) });
      pageMs.push(performance.now() - pageStarted);
      if (res.status !== 200) throw new Error(`page ${pageNumber} failed with ${res.status}`);
      for (const u of res.body.results ?? []) ids.add(u.id);
    }
    const totalMs = performance.now() - started;

    const slowest = Math.max(...pageMs);
    const first = pageMs[0] ?? 0;
    console.log(
      `emulator: Umbrella Health (${truth.size} users), 100 search pages of 100 sequentially: ${totalMs.toFixed(0)} ms ` +
        `(first page ${first.toFixed(1)} ms, slowest ${slowest.toFixed(1)} ms, mean ${(totalMs / 100).toFixed(1)} ms)`,
    );

    expect(ids.size).toBe(10_000); // the whole window, no duplicates
    expect([...ids].filter((id) => !truth.has(id))).toEqual([]);
    expect(totalMs).toBeLessThan(20_000);
  });
});
