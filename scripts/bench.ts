// npm run bench [-- --latency-ms 100 --jitter-ms 10 --concurrency 24]
// The division fetch against the emulator (in its own process) with injected latency, side by side:
// (a) the seed's strategy: one search page at a time; (b) this library, search-only; (c) verify mode;
// (d) 50 concurrent callers for one cold division through the cache. Not a test: it prints figures.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

import { DEMO } from "@/emulator/seed";
import { DivisionCache, MemoryStore } from "@/lib/server/divisions/cache";
import { fetchDivisionUsers, type DivisionUsers } from "@/lib/server/divisions/fetch";
import { parseEnv } from "@/lib/server/platform/env";
import { GenesysClient } from "@/lib/server/genesys/client";

const { values } = parseArgs({
  options: {
    "latency-ms": { type: "string", default: "100" },
    "jitter-ms": { type: "string", default: "10" },
    concurrency: { type: "string", default: "24" },
    divisions: { type: "string", default: "umbrella,initech" },
  },
});
const latencyMs = Number(values["latency-ms"]);
const jitterMs = Number(values["jitter-ms"]);
const concurrency = Number(values.concurrency);

async function startEmulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "emulator/cli.ts", "--port", "0", "--latency-ms", String(latencyMs), "--jitter-ms", String(jitterMs)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      const m = /listening on (\S+)/.exec(chunk.toString());
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { url, child };
}

function client(url: string, conc: number): GenesysClient {
  const env = parseEnv({
    GENESYS_CLIENT_ID: DEMO.clients.bff.id,
    GENESYS_CLIENT_SECRET: DEMO.clients.bff.secret,
    GENESYS_REGION: "us-east-1",
    GENESYS_GATEWAY_URL: url,
    GENESYS_CONCURRENCY: String(conc),
    GENESYS_REQUESTS_PER_MINUTE: "299",
  });
  return new GenesysClient({ genesys: env.genesys, fetch: env.fetch });
}

async function apiCalls(url: string): Promise<number> {
  const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as { byOperation: Record<string, Record<string, number>> };
  let n = 0;
  for (const [op, byStatus] of Object.entries(stats.byOperation)) {
    if (op === "oauthToken") continue;
    for (const count of Object.values(byStatus)) n += count;
  }
  return n;
}

interface Row {
  scenario: string;
  division: string;
  wallMs: number;
  calls: number;
  rows: number;
  concurrency: number;
}

async function measure(url: string, scenario: string, division: string, conc: number, run: (c: GenesysClient) => Promise<number>): Promise<Row> {
  const c = client(url, conc);
  await c.checkToken(); // the token is not part of what we time
  await fetch(`${url}/__emulator/stats`, { method: "DELETE" });
  const t0 = performance.now();
  const rows = await run(c);
  const wallMs = performance.now() - t0;
  return { scenario, division, wallMs, calls: await apiCalls(url), rows, concurrency: conc };
}

/** (a) What the seed did: one page after another, until the last page or the 10,000 window. */
async function seedStrategy(c: GenesysClient, divisionId: string): Promise<number> {
  let rows = 0;
  for (let pageNumber = 1; pageNumber * 100 <= 10_000; pageNumber++) {
    const page = await c.searchUsers({
      pageSize: 100,
      pageNumber,
      sort: [{ sortBy: "id", sortOrder: "ASC" }],
      query: [{ type: "EXACT", fields: ["divisionId"], values: [divisionId] }],
      enforcePermissions: true,
    });
    rows += page.results.length;
    if (pageNumber >= page.pageCount) break;
  }
  return rows;
}

async function main(): Promise<void> {
  const { url, child } = await startEmulatorProcess();
  try {
    // RTT: the median of a few single calls, as the latency bound's unit.
    const probe = client(url, 1);
    await probe.checkToken();
    const samples: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      await probe.getDivision(DEMO.divisions.acme);
      samples.push(performance.now() - t);
    }
    const rtt = samples.sort((a, b) => a - b)[4] ?? latencyMs;

    const rows: Row[] = [];
    for (const key of values.divisions.split(",") as (keyof typeof DEMO.divisions)[]) {
      const id = DEMO.divisions[key];
      const opts = (mode: "search-only" | "verify") => ({ mode, deadlineMs: 300_000 });
      rows.push(await measure(url, "(a) seed: sequential pages", key, 1, (c) => seedStrategy(c, id)));
      rows.push(await measure(url, "(b) search-only", key, concurrency, async (c) => (await fetchDivisionUsers(c, id, opts("search-only"))).users.length));
      rows.push(await measure(url, "(c) verify", key, concurrency, async (c) => (await fetchDivisionUsers(c, id, opts("verify"))).users.length));
      rows.push(
        await measure(url, "(d) 50 callers, cold cache", key, concurrency, async (c) => {
          const cache = new DivisionCache({
            load: (d, onProgress) => fetchDivisionUsers(c, d, { ...opts("verify"), onProgress }),
            store: new MemoryStore<DivisionUsers>(10),
            ttlMs: 60_000,
            staleMs: 60_000,
            forceRefreshMinIntervalMs: 30_000,
          });
          const results = await Promise.all(Array.from({ length: 50 }, () => cache.get(id)));
          if (new Set(results.map((r) => r.value)).size !== 1) throw new Error("callers got different results");
          return results[0]?.value.users.length ?? 0;
        }),
      );
      // Let the per-token rate window of the emulator drain between divisions.
    }

    const base = new Map(rows.filter((r) => r.scenario.startsWith("(a)")).map((r) => [r.division, r.wallMs]));
    const verifyCalls = new Map(rows.filter((r) => r.scenario.startsWith("(c)")).map((r) => [r.division, r.calls]));
    console.log(`\nemulator latency ${latencyMs} ms ± ${jitterMs} ms; measured RTT ${rtt.toFixed(0)} ms; library concurrency ${concurrency}\n`);
    const header = ["division", "scenario", "rows", "wall", "calls", "speed-up vs (a)", "bound", "wall / bound"];
    const table = rows.map((r) => {
      const bound = Math.ceil(r.calls / r.concurrency) * rtt;
      const speedup = (base.get(r.division) ?? r.wallMs) / r.wallMs;
      return [
        r.division,
        r.scenario,
        String(r.rows),
        `${(r.wallMs / 1000).toFixed(2)} s`,
        String(r.calls) + (r.scenario.startsWith("(d)") ? ` (one fetch: ${verifyCalls.get(r.division)})` : ""),
        `${speedup.toFixed(1)}×`,
        `${(bound / 1000).toFixed(2)} s`,
        `${(r.wallMs / bound).toFixed(2)}`,
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
    console.log(line(header));
    for (const row of table) console.log(line(row));
    fs.mkdirSync("bench-results", { recursive: true });
    const file = path.join("bench-results", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    fs.writeFileSync(file, JSON.stringify({ latencyMs, jitterMs, rtt, concurrency, rows }, null, 2));
    console.log(`\nraw figures: ${file}`);
  } finally {
    child.kill("SIGTERM");
  }
}

void main();
