// npm run load [-- --sessions 200 --seconds 30]
// 200 signed-in sessions hammer a warm division's JSON and its page for 30 s each, against the built app
// and the emulator (all on this machine). Prints throughput, latency percentiles and errors.
import autocannon from "autocannon";
import { parseArgs } from "node:util";

import { DEMO } from "../emulator/seed";
import { signIn } from "../test/support/http-session";
import { startStack } from "./stack";

const { values } = parseArgs({ options: { sessions: { type: "string", default: "200" }, seconds: { type: "string", default: "30" }, port: { type: "string", default: "3500" } } });
const sessions = Number(values.sessions);
const seconds = Number(values.seconds);

async function run(title: string, url: string, cookies: string[]): Promise<void> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: sessions,
    duration: seconds,
    // Each request carries the next session's cookie, so all sessions take part.
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, cookie: cookies[next++ % cookies.length] ?? "" } }) }],
  });
  // autocannon counts timeouts among `errors`.
  const errors = result.errors + result.non2xx;
  console.log(
    `${title}: ${result.requests.total} requests in ${seconds} s = ${result.requests.average.toFixed(0)} req/s; ` +
      `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ` +
      `errors ${errors} (non-2xx ${result.non2xx}, timeouts ${result.timeouts}); ${(result.throughput.average / 1e6).toFixed(1)} MB/s`,
  );
}

async function main(): Promise<void> {
  const stack = await startStack({ appPort: Number(values.port) });
  try {
    // Globex Telecom (350 users) is visible to ben (its manager) and to the admin: alternate the two.
    const accounts = [DEMO.staff.ben.email, DEMO.staff.admin.email];
    const cookies: string[] = [];
    for (let i = 0; i < sessions; i++) cookies.push((await signIn(stack.appUrl, accounts[i % accounts.length] ?? "")).jar.header());
    console.log(`${cookies.length} sessions signed in`);
    const division = DEMO.divisions.globex;
    // Warm the cache once.
    await fetch(`${stack.appUrl}/api/divisions/${division}/users`, { headers: { cookie: cookies[0] ?? "" } });
    await run("division JSON (warm, 350 users)", `${stack.appUrl}/api/divisions/${division}/users`, cookies);
    await run("division page (server-rendered)", `${stack.appUrl}/divisions/${division}`, cookies);
    const stats = stack.emulator.stats();
    console.log(`upstream calls during the run: ${JSON.stringify(stats.byOperation)}`);
  } finally {
    await stack.stop();
  }
}

void main();
