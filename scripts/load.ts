// npm run load [-- --sessions 200 --seconds 30 --port 3500 --only health|json|page --profile DIR --env KEY=VALUE …]
// 200 signed-in sessions hammer a warm division's JSON and its page for 30 s each, against the built app
// (`npm start`, admission gate included) and the emulator, all on this machine. Prints throughput, latency
// percentiles and errors per target, what the admission gate did, and writes bench-results/load.json.
// --profile DIR: the server runs with --inspect (on port + 1) and a CPU profile of each target is written to
// DIR, with its top self times printed (scripts/cpu-profile.ts; on Node 20 set
// NODE_OPTIONS=--experimental-websocket). Profiling slows the server: take throughput figures without it.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

import autocannon from "autocannon";

import { DEMO } from "../emulator/seed";
import { signIn } from "../test/support/http-session";
import { formatTop, Inspector, selfTimes } from "./cpu-profile";
import { startStack } from "./stack";

const { values } = parseArgs({ options: {
    sessions: { type: "string", default: "200" },
    seconds: { type: "string", default: "30" },
    port: { type: "string", default: "3500" },
    only: { type: "string" },
    profile: { type: "string" },
    // App settings for this run, e.g. --env HTTP_MAX_CONCURRENT_REQUESTS=8 --env LOG_LEVEL=info.
    env: { type: "string", multiple: true },
  },
});
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
  /** The server process's CPU time (user + system) per request: steadier than req/s on a shared machine. */
  cpuMsPerRequest: number;
}

async function run(target: string, url: string, cookies: string[], inspector: Inspector | null): Promise<Figures> {
  let next = 0;
  const appUrl = new URL(url).origin;
  const cpuBefore = await serverCpuSeconds(appUrl);
  await inspector?.start();
  const result = await autocannon({
    url,
    connections: sessions,
    duration: seconds,
    // Each request carries the next session's cookie, so all sessions take part.
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, cookie: cookies[next++ % cookies.length] ?? "" } }) }],
  });
  if (inspector && values.profile) {
    const profile = await inspector.stop();
    // "GET /api/health" → api-health.cpuprofile
    const file = path.join(values.profile, `${(target.split(" ")[1] ?? "target").replace(/^\/+/, "").replace(/[^\w.-]+/g, "-")}.cpuprofile`);
    fs.mkdirSync(values.profile, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    console.log(`${target}: CPU profile ${file}\n by owner (self time charged to the nearest app file, else package):\n${formatTop(selfTimes(profile, "owner"), 15)}\n by module (self):\n${formatTop(selfTimes(profile, "module"), 12)}\n by function (self):\n${formatTop(selfTimes(profile, "function"), 25)}`);
  }
  const cpuSeconds = (await serverCpuSeconds(appUrl)) - cpuBefore;
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
    cpuMsPerRequest: Math.round((cpuSeconds * 1e4) / Math.max(result.requests.total, 1)) / 10,
  };
  console.log(
    `${target}: ${figures.requests} requests in ${seconds} s = ${figures.perSecond} req/s; latency p50 ${figures.p50} ms, p90 ${figures.p90} ms, ` +
      `p99 ${figures.p99} ms, max ${figures.max} ms; errors ${figures.errors} (non-2xx ${figures.non2xx}, timeouts ${figures.timeouts}); ${figures.mbPerSecond} MB/s; ` +
      `server CPU ${figures.cpuMsPerRequest} ms/request`,
  );
  return figures;
}

async function metricsText(appUrl: string): Promise<string> {
  return (await fetch(`${appUrl}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
}

async function serverCpuSeconds(appUrl: string): Promise<number> {
  return Number(/^tenantscope_process_cpu_seconds_total (\S+)$/m.exec(await metricsText(appUrl))?.[1] ?? NaN);
}

/** The admission gate's and cache's counters, read from /api/metrics. */
async function serverFigures(appUrl: string): Promise<Record<string, number>> {
  const text = await metricsText(appUrl);
  const wanted = /^(tenantscope_http_requests_(?:admitted|shed)_total|tenantscope_http_queue_wait_seconds_total|tenantscope_division_cache_requests_total)(\{[^}]*\})? (\S+)$/;
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = wanted.exec(line);
    if (m) out[`${m[1]}${m[2] ?? ""}`] = Number(m[3]);
  }
  return out;
}

async function main(): Promise<void> {
  const inspectorPort = Number(values.port) + 1;
  const profiling: Record<string, string> = values.profile ? { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectorPort}` } : {};
  const extra = Object.fromEntries((values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  const stack = await startStack({ appPort: Number(values.port), env: { METRICS_BEARER_TOKEN: METRICS_TOKEN, ...extra, ...profiling } });
  const inspector = values.profile ? await Inspector.connect(`http://127.0.0.1:${inspectorPort}`) : null;
  try {
    // Globex Telecom (350 users) is visible to ben (its manager) and to the admin: alternate the two.
    const accounts = [DEMO.staff.ben.email, DEMO.staff.admin.email];
    const cookies: string[] = [];
    for (let i = 0; i < sessions; i++) cookies.push((await signIn(stack.appUrl, accounts[i % accounts.length] ?? "")).jar.header());
    console.log(`${cookies.length} sessions signed in`);
    const division = DEMO.divisions.globex;
    // Warm the cache once, then each session with one request of each target (20 at a time): a session's first
    // request reads the person's divisions from Genesys (staff access, once per sign-in), and a route's first
    // requests run unoptimised code; both are a start's cost, not the steady state measured here.
    await (await fetch(`${stack.appUrl}/api/divisions/${division}/users`, { headers: { cookie: cookies[0] ?? "" } })).arrayBuffer();
    for (let i = 0; i < cookies.length; i += 20) {
      await Promise.all(
        cookies.slice(i, i + 20).flatMap((cookie) =>
          [`/api/divisions/${division}/users`, `/divisions/${division}`].map(async (path) => {
            const res = await fetch(`${stack.appUrl}${path}`, { headers: { cookie } });
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`warm-up: ${path} answered ${res.status}`);
          }),
        ),
      );
    }
    console.log(`${cookies.length} sessions warmed: one request each of the JSON and the page, before the runs`);
    stack.emulator.resetStats();
    const results: Figures[] = [];
    // This process runs the emulator and the load generator: its CPU is theirs, the server's is reported apart.
    const ownCpuBefore = process.cpuUsage();
    const started = performance.now();
    // The floor: the proxy and the custom server in front of an almost empty route, with the same cookies.
    if (!values.only || values.only === "health") results.push(await run("GET /api/health (the floor)", `${stack.appUrl}/api/health`, cookies, inspector));
    if (!values.only || values.only === "json") results.push(await run("division JSON (warm, 350 users)", `${stack.appUrl}/api/divisions/${division}/users`, cookies, inspector));
    if (!values.only || values.only === "page") results.push(await run("division page (the prerendered shell, after the access check)", `${stack.appUrl}/divisions/${division}`, cookies, inspector));
    const own = process.cpuUsage(ownCpuBefore);
    const wall = (performance.now() - started) / 1000;
    console.log(`emulator + load generator (this process): ${((own.user + own.system) / 1e6).toFixed(1)} s CPU in ${wall.toFixed(0)} s (${(((own.user + own.system) / 1e6 / wall) * 100).toFixed(0)} % of one core)`);
    const floor = results.find((r) => r.target.startsWith("GET /api/health"));
    if (floor) for (const r of results) if (r !== floor) console.log(`${r.target}: ${(r.perSecond / floor.perSecond).toFixed(2)} × the floor`);
    const server = await serverFigures(stack.appUrl);
    const upstream = stack.emulator.stats().byOperation;
    console.log(`server: ${JSON.stringify(server)}`);
    console.log(`upstream calls during the runs: ${JSON.stringify(upstream)}`);
    const out = path.resolve(__dirname, "..", "bench-results", "load.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), sessions, seconds, env: extra, results, server, upstream }, null, 2) + "\n");
    console.log(`written to ${path.relative(process.cwd(), out)}`);
  } finally {
    inspector?.close();
    await stack.stop();
  }
}

void main();
