// The drain of `npm start` (server/index.mjs) on SIGTERM: a request in progress finishes; new ones are either
// still served while readiness says 503 "draining" (SHUTDOWN_DELAY_SECONDS, for load balancers that need
// time to notice) or refused at the connection (the default, for a proxy that retries elsewhere); the server
// exits 0 once it is done.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import { startApp, type RunningApp } from "@/scripts/stack";

import { signIn, type CookieJar } from "../support/http-session";

let emulator: RunningEmulator;
const running: RunningApp[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  await Promise.all(running.map((a) => a.stop()));
  await emulator?.stop();
});

async function started(appPort: number, env: Record<string, string> = {}): Promise<{ app: RunningApp; jar: CookieJar }> {
  const app = await startApp({ appPort, emulatorUrl: emulator.url, env: { LOG_LEVEL: "warn", ...env } });
  running.push(app);
  return { app, jar: (await signIn(app.appUrl, DEMO.staff.ben.email)).jar };
}

/** A fresh connection each time (as a load balancer's probe): status and body, or "refused". */
async function probe(url: string, cookie?: string): Promise<{ status: number; body: string } | "refused"> {
  try {
    const res = await fetch(url, { headers: { connection: "close", ...(cookie ? { cookie } : {}) }, signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return "refused";
  }
}

/** A cold division's users, slowed by the emulator so that it is still in progress when the signal comes. */
function slowColdFetch(app: RunningApp, jar: CookieJar): Promise<number> {
  return fetch(`${app.appUrl}/api/divisions/${DEMO.divisions.initech}/users`, { headers: { cookie: jar.header(), accept: "application/json" } }).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SIGTERM", () => {
  it("with SHUTDOWN_DELAY_SECONDS: keeps serving with readiness 503 draining, then refuses connections, finishes what it has and exits 0", async () => {
    const { app, jar } = await started(3285, { SHUTDOWN_DELAY_SECONDS: "2" });
    const globex = `${app.appUrl}/api/divisions/${DEMO.divisions.globex}/users`;
    expect((await probe(globex, jar.header())) as { status: number }).toMatchObject({ status: 200 });
    emulator.setFaults({ latencyMs: 150 });
    try {
      const inFlight = slowColdFetch(app, jar);
      await pause(300);
      const signalled = Date.now();
      app.terminate();
      await pause(300);

      const health = await probe(`${app.appUrl}/api/health`);
      expect(health).not.toBe("refused");
      expect((health as { status: number }).status).toBe(503);
      expect(JSON.parse((health as { body: string }).body)).toMatchObject({ status: "draining" });
      // Liveness stays 200: the process is healthy, only leaving.
      expect(await probe(`${app.appUrl}/api/health/live`)).toMatchObject({ status: 200 });
      // Still serving tenants meanwhile.
      expect(await probe(globex, jar.header())).toMatchObject({ status: 200 });

      await pause(2_300 - (Date.now() - signalled));
      expect(await probe(`${app.appUrl}/api/health`)).toBe("refused");
      expect(await inFlight).toBe(200);
      expect(await app.exitCode()).toBe(0);
    } finally {
      emulator.setFaults({ latency: false });
    }
  }, 60_000);

  it("by default: refuses new connections at once, finishes the requests in progress (a progress stream too) and exits 0", async () => {
    const { app, jar } = await started(3286);
    emulator.setFaults({ latencyMs: 150 });
    try {
      // Both wait on Genesys when the signal comes: the JSON one has given its gate slot back meanwhile, and
      // the NDJSON progress stream skips the gate altogether.
      const inFlight = slowColdFetch(app, jar);
      const stream = fetch(`${app.appUrl}/api/divisions/${DEMO.divisions.globex}/users`, { headers: { cookie: jar.header(), accept: "application/x-ndjson" } }).then(async (res) => {
        const lines = (await res.text()).trim().split("\n");
        return { status: res.status, last: JSON.parse(lines.at(-1) ?? "{}") as { type?: string } };
      });
      await pause(300);
      app.terminate();
      await pause(300);
      expect(await probe(`${app.appUrl}/api/health`)).toBe("refused");
      expect(await inFlight).toBe(200);
      expect(await stream).toMatchObject({ status: 200, last: { type: "result" } });
      expect(await app.exitCode()).toBe(0);
    } finally {
      emulator.setFaults({ latency: false });
    }
  }, 60_000);
});
