// The warm path's server figures (issue 13): a cached 12,000-user division's users JSON, 50 sequential
// requests per content coding as the browser asks for it (bytes on the wire, p50/p99 to the last byte), and
// a 304 revalidation. Needs a build; starts its own stack.
//   node --import tsx scripts/measure-warm.ts [--port 3411] [--requests 50]
import http from "node:http";
import { parseArgs } from "node:util";

import { DEMO } from "../emulator/seed";
import { signIn } from "../test/support/http-session";
import { startStack } from "./stack";

interface Sample {
  status: number;
  bytes: number;
  ms: number;
  etag: string | undefined;
}

/** One GET, timed to its last byte; the body is counted, not decoded (the figure is the server's). */
function get(url: string, headers: Record<string, string>): Promise<Sample> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        res.on("data", (chunk: Buffer) => (bytes += chunk.length));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - start, etag: res.headers.etag }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function series(url: string, headers: Record<string, string>, n: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) out.push(await get(url, headers));
  return out;
}

function report(name: string, samples: Sample[]): void {
  const ms = samples.map((s) => s.ms);
  const statuses = [...new Set(samples.map((s) => s.status))].join(",");
  console.log(`${name.padEnd(22)} status ${statuses}  ${(samples[0]?.bytes ?? 0).toLocaleString("en")} B  p50 ${percentile(ms, 50).toFixed(1)} ms  p99 ${percentile(ms, 99).toFixed(1)} ms`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: "string", default: "3411" }, requests: { type: "string", default: "50" } } });
  const n = Number(values.requests);
  const stack = await startStack({ appPort: Number(values.port) });
  try {
    const { jar } = await signIn(stack.appUrl, DEMO.staff.admin.email);
    const url = `${stack.appUrl}/api/divisions/${DEMO.divisions.umbrella}/users`;
    const cookie = jar.header();
    // Cold: the fetch itself, then the body's compressed forms are made once.
    const cold = await get(url, { cookie, "accept-encoding": "br" });
    console.log(`cold fetch              status ${cold.status}  ${(cold.ms / 1000).toFixed(1)} s`);
    for (let i = 0; i < 3; i++) await get(url, { cookie, "accept-encoding": "br, gzip" });
    const br = await series(url, { cookie, "accept-encoding": "gzip, deflate, br, zstd" }, n);
    report("warm, brotli", br);
    report("warm, gzip", await series(url, { cookie, "accept-encoding": "gzip" }, n));
    report("warm, identity", await series(url, { cookie }, n));
    const etag = br[0]?.etag ?? "";
    report("revalidation (304)", await series(url, { cookie, "accept-encoding": "gzip, deflate, br, zstd", "if-none-match": etag }, n));
  } finally {
    await stack.stop();
  }
}

if (require.main === module) void main();
