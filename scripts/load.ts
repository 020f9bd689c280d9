// npm run load [-- --sessions 200 --seconds 30 --port 3500]
// 200 signed-in sessions hammer a warm division's JSON and its page for 30 s each, against the built app
// (`npm start`, admission gate included) and the emulator, all on this machine. Prints throughput, latency
// percentiles and errors per target, what the admission gate did, and writes bench-results/load.json.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

import autocannon from "autocannon";

import { DEMO } from "../emulator/seed";
import { signIn } from "../test/support/http-session";
import { startStack } from "./stack";

const { values } = parseArgs({ options: { sessions: { type: "string", default: "200" }, seconds: { type: "string", default: "30" }, port: { type: "string", default: "3500" } } });
const sessions = Number(values.sessions);
const seconds = Number(values.seconds);
const METRICS_TOKEN = "load-test-metrics-token";

interface Figures {
  target: string;
  requests: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  mbPerSecond: number;
}

async function run(target: string, url: string, cookies: string[]): Promise<Figures> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: sessions,
    duration: seconds,
    // Each request carries the next session's cookie, so all sessions take part.
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, cookie: cookies[next++ % cookies.length] ?? "" } }) }],
  });
  const figures: Figures = {
    target,
    requests: result.requests.total,
    perSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    // autocannon counts timeouts (no answer within 10 s) among `errors`.
    errors: result.errors + result.non2xx,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    mbPerSecond: Math.round(result.throughput.average / 1e5) / 10,
  };
  console.log(
    `${target}: ${figures.requests} requests in ${seconds} s = ${figures.perSecond} req/s; latency p50 ${figures.p50} ms, p90 ${figures.p90} ms, ` +
      `p99 ${figures.p99} ms, max ${figures.max} ms; errors ${figures.errors} (non-2xx ${figures.non2xx}, timeouts ${figures.timeouts}); ${figures.mbPerSecond} MB/s`,
  );
  return figures;
}

/** The admission gate's and cache's counters, read from /api/metrics. */
async function serverFigures(appUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${appUrl}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const wanted = /^(tenantscope_http_requests_(?:admitted|shed)_total|tenantscope_http_queue_wait_seconds_total|tenantscope_division_cache_requests_total)(\{[^}]*\})? (\S+)$/;
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = wanted.exec(line);
    if (m) out[`${m[1]}${m[2] ?? ""}`] = Number(m[3]);
  }
  return out;
}

async function main(): Promise<void> {
  const stack = await startStack({ appPort: Number(values.port), env: { METRICS_BEARER_TOKEN: METRICS_TOKEN } });
  try {
    // Globex Telecom (350 users) is visible to ben (its manager) and to the admin: alternate the two.
    const accounts = [DEMO.staff.ben.email, DEMO.staff.admin.email];
    const cookies: string[] = [];
    for (let i = 0; i < sessions; i++) cookies.push((await signIn(stack.appUrl, accounts[i % accounts.length] ?? "")).jar.header());
    console.log(`${cookies.length} sessions signed in`);
    const division = DEMO.divisions.globex;
    // Warm the cache once.
    await fetch(`${stack.appUrl}/api/divisions/${division}/users`, { headers: { cookie: cookies[0] ?? "" } });
    stack.emulator.resetStats();
    const results = [
      await run("division JSON (warm, 350 users)", `${stack.appUrl}/api/divisions/${division}/users`, cookies),
      await run("division page (server-rendered)", `${stack.appUrl}/divisions/${division}`, cookies),
    ];
    const server = await serverFigures(stack.appUrl);
    const upstream = stack.emulator.stats().byOperation;
    console.log(`server: ${JSON.stringify(server)}`);
    console.log(`upstream calls during the runs: ${JSON.stringify(upstream)}`);
    const out = path.resolve(__dirname, "..", "bench-results", "load.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), sessions, seconds, results, server, upstream }, null, 2) + "\n");
    console.log(`written to ${path.relative(process.cwd(), out)}`);
  } finally {
    await stack.stop();
  }
}

void main();
