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

/** A fresh connection each time (as a load balancer's probe): status and body, or "refused" (ECONNREFUSED only). */
async function probe(url: string, cookie?: string): Promise<{ status: number; body: string } | "refused"> {
  try {
    const res = await fetch(url, { headers: { connection: "close", ...(cookie ? { cookie } : {}) }, signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (code === "ECONNREFUSED") return "refused";
    throw e;
  }
}

interface Settled {
  status: number;
  at: number;
  /** The NDJSON stream's last line type, for a stream. */
  last?: string | undefined;
}

/** A cold division's users, slowed by the emulator so that it is still in progress when the signal comes. */
async function coldFetch(app: RunningApp, jar: CookieJar, divisionId: string, accept: string): Promise<Settled> {
  const res = await fetch(`${app.appUrl}/api/divisions/${divisionId}/users`, { headers: { cookie: jar.header(), accept } });
  const text = await res.text();
  const last = accept.includes("ndjson") ? (JSON.parse(text.trim().split("\n").at(-1) ?? "{}") as { type?: string }).type : undefined;
  return { status: res.status, at: Date.now(), last };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SIGTERM", () => {
  it("with SHUTDOWN_DELAY_SECONDS: keeps serving with readiness 503 draining, then refuses connections, finishes what it has and exits 0", async () => {
    const { app, jar } = await started(3285, { SHUTDOWN_DELAY_SECONDS: "2" });
    const globex = `${app.appUrl}/api/divisions/${DEMO.divisions.globex}/users`;
    expect(await probe(globex, jar.header())).toMatchObject({ status: 200 });
    emulator.setFaults({ latencyMs: 300 });
    try {
      const inFlight = coldFetch(app, jar, DEMO.divisions.initech, "application/json");
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
      // Still serving people meanwhile: data and pages.
      expect(await probe(globex, jar.header())).toMatchObject({ status: 200 });
      expect(await probe(`${app.appUrl}/divisions/${DEMO.divisions.globex}`, jar.header())).toMatchObject({ status: 200 });

      await pause(2_300 - (Date.now() - signalled));
      expect(await probe(`${app.appUrl}/api/health`)).toBe("refused");
      const settled = await inFlight;
      expect(settled.status).toBe(200);
      // It was still running when the server stopped accepting: the drain waited for it.
      expect(settled.at - signalled).toBeGreaterThan(2_000);
      expect(await app.exitCode()).toBe(0);
    } finally {
      emulator.setFaults({ latency: false });
    }
  }, 60_000);

  it("by default: refuses new connections at once, finishes the requests in progress (a progress stream too) and exits 0", async () => {
    const { app, jar } = await started(3286);
    emulator.setFaults({ latencyMs: 300 });
    try {
      // Both wait on Genesys when the signal comes: the JSON one has given its gate slot back meanwhile, and
      // the NDJSON progress stream skips the gate altogether.
      const json = coldFetch(app, jar, DEMO.divisions.initech, "application/json");
      const stream = coldFetch(app, jar, DEMO.divisions.globex, "application/x-ndjson");
      await pause(300);
      const signalled = Date.now();
      app.terminate();
      await pause(300);
      expect(await probe(`${app.appUrl}/api/health`)).toBe("refused");
      const [a, b] = await Promise.all([json, stream]);
      expect(a.status).toBe(200);
      expect(b).toMatchObject({ status: 200, last: "result" });
      // Both were still running when the server stopped accepting.
      expect(Math.min(a.at, b.at) - signalled).toBeGreaterThan(300);
      expect(await app.exitCode()).toBe(0);
    } finally {
      emulator.setFaults({ latency: false });
    }
  }, 60_000);
});
