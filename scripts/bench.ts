// npm run bench [-- --latency-ms 100 --jitter-ms 10 --concurrency 8]
// Ways to read a division, side by side against the emulator (in its own process) with injected latency:
// (a) the seed's strategy, one search page at a time; (b) search + verify; (c) the org snapshot; (d) the
// planner's choice; then every division once, and Umbrella right after Initech under a 270/minute budget.
// Not a test: it prints figures (and writes them to bench-results/).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

import { DEMO } from "@/emulator/seed";
import { fetchDivisionUsers, type FetchOptions } from "@/lib/server/divisions/fetch";
import type { Strategy } from "@/lib/server/divisions/fetch-plan";
import { OrgSnapshotSource } from "@/lib/server/divisions/org-snapshot";
import { sharedFor } from "@/lib/server/divisions/service";
import { Capabilities } from "@/lib/server/genesys/capabilities";
import { DIRECTORY_USER_VIEW } from "@/lib/server/genesys/permissions";
import { divisionsWithPermission } from "@/lib/server/genesys/permitted-divisions";
import { GenesysClient } from "@/lib/server/genesys/client";
import { parseEnv } from "@/lib/server/platform/env";

const { values } = parseArgs({
  options: {
    "latency-ms": { type: "string", default: "100" },
    "jitter-ms": { type: "string", default: "10" },
    // .env.example's default.
    concurrency: { type: "string", default: "8" },
  },
});
const latencyMs = Number(values["latency-ms"]);
const jitterMs = Number(values["jitter-ms"]);
const concurrency = Number(values.concurrency);
// One log line per Genesys call would bury the table.
process.env.LOG_LEVEL ??= "error";

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

function client(url: string, conc: number, perMinute = 299): GenesysClient {
  const env = parseEnv({
    GENESYS_CLIENT_ID: DEMO.clients.bff.id,
    GENESYS_CLIENT_SECRET: DEMO.clients.bff.secret,
    GENESYS_REGION: "us-east-1",
    GENESYS_GATEWAY_URL: url,
    GENESYS_CONCURRENCY: String(conc),
    GENESYS_REQUESTS_PER_MINUTE: String(perMinute),
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
}

async function resetCalls(url: string): Promise<void> {
  await fetch(`${url}/__emulator/stats`, { method: "DELETE" });
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

/** A running app's state: one client, what it has learned of the org (probed before timing), one org pass source. */
async function app(url: string, perMinute?: number) {
  const c = client(url, concurrency, perMinute);
  await c.checkToken();
  const capabilities = new Capabilities(c);
  for (const key of ["sortById", "startsWithId", "objectCountStates", "permittedDivisions"] as const) await capabilities.get(key);
  const snapshot = new OrgSnapshotSource({ client: c, ttlMs: 300_000, deadlineMs: 300_000 });
  const orgUsers = (await c.listDivisions()).reduce((n, d) => n + (d.objectCounts?.USER ?? 0), 0);
  // As the app's division service does: its own grants are read once a minute, not once per fetch.
  const permitted = sharedFor(60_000, () => divisionsWithPermission(c, DIRECTORY_USER_VIEW));
  const read = async (divisionId: string, strategy?: Strategy) => {
    const opts: FetchOptions = { mode: "verify", deadlineMs: 300_000, capabilities, snapshot, orgUsers, permitted, ...(strategy ? { strategy } : {}) };
    return fetchDivisionUsers(c, divisionId, opts);
  };
  return { c, read };
}

async function timed(url: string, scenario: string, division: string, run: () => Promise<number>): Promise<Row> {
  await resetCalls(url);
  const t0 = performance.now();
  const rows = await run();
  return { scenario, division, wallMs: performance.now() - t0, calls: await apiCalls(url), rows };
}

async function main(): Promise<void> {
  const { url, child } = await startEmulatorProcess();
  try {
    const rows: Row[] = [];
    for (const key of ["umbrella", "initech", "acme"] as const) {
      const id = DEMO.divisions[key];
      const seed = client(url, 1);
      await seed.checkToken();
      rows.push(await timed(url, "(a) seed: sequential pages", key, () => seedStrategy(seed, id)));
      for (const [scenario, strategy] of [["(b) search + verify", "search"], ["(c) org snapshot", "snapshot"], ["(d) planner's choice", undefined]] as const) {
        const { read } = await app(url);
        let chosen = "";
        rows.push(
          await timed(url, scenario, key, async () => {
            const r = await read(id, strategy);
            chosen = r.meta.strategy;
            return r.users.length;
          }),
        );
        if (!strategy) (rows.at(-1) as Row).scenario += ` → ${chosen}`;
      }
    }
    {
      const { read } = await app(url);
      const reachable = Object.entries(DEMO.divisions).filter(([name]) => name !== "stark");
      rows.push(await timed(url, "every division once (planner)", `${reachable.length} divisions`, async () => {
        let n = 0;
        for (const [, id] of reachable) n += (await read(id)).users.length;
        return n;
      }));
    }
    {
      const { read } = await app(url, 270);
      await read(DEMO.divisions.initech);
      rows.push(await timed(url, "umbrella right after initech, 270/min (planner)", "umbrella", async () => (await read(DEMO.divisions.umbrella)).users.length));
    }

    const base = new Map(rows.filter((r) => r.scenario.startsWith("(a)")).map((r) => [r.division, r.wallMs]));
    console.log(`\nemulator latency ${latencyMs} ms ± ${jitterMs} ms; library concurrency ${concurrency}\n`);
    const header = ["division", "scenario", "rows", "wall", "calls", "calls / 1,000 users", "vs (a)"];
    const table = rows.map((r) => {
      const a = base.get(r.division);
      return [
        r.division,
        r.scenario,
        String(r.rows),
        `${(r.wallMs / 1000).toFixed(2)} s`,
        String(r.calls),
        r.rows ? (r.calls / (r.rows / 1000)).toFixed(1) : "–",
        a ? `${(a / r.wallMs).toFixed(1)}× faster` : "–",
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
    console.log(line(header));
    for (const row of table) console.log(line(row));
    fs.mkdirSync("bench-results", { recursive: true });
    const file = path.join("bench-results", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    fs.writeFileSync(file, JSON.stringify({ latencyMs, jitterMs, concurrency, rows }, null, 2));
    console.log(`\nraw figures: ${file}`);
  } finally {
    child.kill("SIGTERM");
  }
}

void main();
