// Starts the emulator and the built app (`npm start`: server/index.mjs) wired together, for the HTTP and
// browser tests and the demo. Run `next build` first. Prints one JSON line {"app":…, "emulator":…} when both are ready.
//   node --import tsx scripts/stack.ts [--app-port 3100] [--emulator-port 0] [--env KEY=VALUE …]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";

import { DEMO } from "../emulator/seed";
import { startEmulator } from "../emulator/server";

export interface StackOptions {
  appPort: number;
  emulatorPort?: number;
  /** Extra or overriding app environment. */
  env?: Record<string, string>;
  /** Forward the app's output (default: only errors). */
  verbose?: boolean;
}

export interface AppOptions {
  appPort: number;
  emulatorUrl: string;
  env?: Record<string, string>;
  verbose?: boolean;
  /** Keep the app's log lines (stdout) for the test to read. */
  captureLogs?: boolean;
}

export function appEnv(appPort: number, emulatorUrl: string): Record<string, string> {
  return {
    NEXT_TELEMETRY_DISABLED: "1",
    GENESYS_CLIENT_ID: DEMO.clients.bff.id,
    GENESYS_CLIENT_SECRET: DEMO.clients.bff.secret,
    GENESYS_REGION: "us-east-1",
    GENESYS_GATEWAY_URL: emulatorUrl,
    GENESYS_STAFF_CLIENT_ID: DEMO.clients.staffLogin.id,
    GENESYS_STAFF_CLIENT_SECRET: DEMO.clients.staffLogin.secret,
    TENANTSCOPE_ADMIN_EMAILS: DEMO.staff.admin.email,
    NEXTAUTH_URL: `http://localhost:${appPort}`,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    // A fresh audit trail per run (the demo keeps one in data/).
    AUDIT_DB_PATH: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-audit-")), "audit.sqlite"),
    // And fresh sign-outs: instances started separately (scale-out tests) share them only through Redis.
    SESSION_DB_PATH: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-sessions-")), "sessions.sqlite"),
    LOG_LEVEL: "warn",
  };
}

/** Fails fast when the port is taken: otherwise the health check below would find someone else's app. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (e: NodeJS.ErrnoException) => reject(new Error(e.code === "EADDRINUSE" ? `port ${port} is already in use` : e.message)));
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

export type RunningApp = Awaited<ReturnType<typeof startApp>>;

/** The built app (`npm start`) against an emulator that is already running; resolves once it is healthy. */
export async function startApp(options: AppOptions) {
  await assertPortFree(options.appPort);
  const root = path.resolve(__dirname, "..");
  const env = { ...process.env, ...appEnv(options.appPort, options.emulatorUrl), ...options.env };
  const app = spawn(process.execPath, ["server/index.mjs"], {
    cwd: root,
    env: { ...env, PORT: String(options.appPort) },
    stdio: ["ignore", options.verbose ? "inherit" : options.captureLogs ? "pipe" : "ignore", "inherit"],
    // Its own process group, so that a stop also ends anything the server started.
    detached: true,
  });
  const logs: string[] = [];
  if (app.stdout) readline.createInterface({ input: app.stdout }).on("line", (line) => logs.push(line));
  const killApp = (signal: NodeJS.Signals = "SIGTERM") => {
    try {
      if (app.pid !== undefined) process.kill(-app.pid, signal);
    } catch {
      // already gone
    }
  };
  const exited = () => new Promise<void>((resolve) => (app.exitCode !== null || app.signalCode !== null ? resolve() : app.once("exit", () => resolve())));
  process.once("exit", () => killApp());
  const appUrl = `http://localhost:${options.appPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (app.exitCode !== null) throw new Error(`the app server exited with ${app.exitCode}`);
    try {
      const res = await fetch(`${appUrl}/api/health`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killApp();
      throw new Error("the app did not become healthy within 60 s");
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    appUrl,
    /** Its log lines so far (with captureLogs). */
    logs: (): readonly string[] => logs,
    async stop() {
      killApp();
      await exited();
    },
    /** Sends SIGTERM and returns at once, for tests of the drain itself; `stop()` waits for the exit. */
    terminate() {
      killApp("SIGTERM");
    },
    /** Resolves with the exit code (null after a signal) once the server has exited. */
    exitCode: async (): Promise<number | null> => {
      await exited();
      return app.exitCode;
    },
    /** Ends it the way a crash would (SIGKILL, sent before this returns): no shutdown, nothing flushed. */
    async crash() {
      killApp("SIGKILL");
      await exited();
    },
  };
}

export async function startStack(options: StackOptions) {
  const emulator = await startEmulator({ port: options.emulatorPort ?? 0, host: "127.0.0.1" });
  let app: RunningApp;
  try {
    app = await startApp({ appPort: options.appPort, emulatorUrl: emulator.url, ...(options.env ? { env: options.env } : {}), ...(options.verbose ? { verbose: true } : {}) });
  } catch (e) {
    await emulator.stop();
    throw e;
  }
  return {
    appUrl: app.appUrl,
    emulator,
    async stop() {
      await app.stop();
      await emulator.stop();
    },
  };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { "app-port": { type: "string", default: "3100" }, "emulator-port": { type: "string", default: "0" }, env: { type: "string", multiple: true } },
  });
  const extra = Object.fromEntries((values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  startStack({ appPort: Number(values["app-port"]), emulatorPort: Number(values["emulator-port"]), env: extra }).then(
    (stack) => {
      console.log(JSON.stringify({ app: stack.appUrl, emulator: stack.emulator.url }));
      const stop = () => void stack.stop().then(() => process.exit(0));
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
