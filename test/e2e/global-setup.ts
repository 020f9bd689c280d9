// Starts the emulator and the built app (scripts/stack.ts, through stack-runner.ts's watchdog) once for
// the whole browser suite, and hands their URLs to the tests through process.env (workers inherit it).
// globalTeardown stops the stack.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

import { APP_PORT, ROOT, SCREENSHOT_DIR, type StackUrls } from "./env";

export default async function globalSetup(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error("The app is not built: run `NEXT_TELEMETRY_DISABLED=1 npx next build` before the browser tests.");
  }
  // A leftover server on the port would answer the stack's health check and the suite would test it instead.
  if (!(await portIsFree(APP_PORT))) {
    throw new Error(`Port ${APP_PORT} is in use (a leftover stack?). Stop it, or set E2E_APP_PORT to a free port.`);
  }
  fs.rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  fs.rmSync(path.join(ROOT, "test-results", "e2e-figures.json"), { force: true });

  // The Genesys SDK reads (and live-reloads) ~/.genesyscloudjavascript/config: give the app an empty HOME.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-e2e-home-"));
  const child = spawn(process.execPath, ["--import", "tsx", "test/e2e/stack-runner.ts", "--app-port", String(APP_PORT)], {
    cwd: ROOT,
    env: { ...process.env, HOME: home, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = new Promise<StackUrls>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the stack did not report ready within 90 s")), 90_000);
    const lines = readline.createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      if (!line.startsWith("{")) return;
      try {
        const parsed = JSON.parse(line) as Partial<StackUrls>;
        if (typeof parsed.app === "string" && typeof parsed.emulator === "string") {
          clearTimeout(timer);
          resolve({ app: parsed.app, emulator: parsed.emulator });
        }
      } catch {
        // not the ready line
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the stack exited with ${code} before it was ready (is port ${APP_PORT} free?)`));
    });
  });
  let urls: StackUrls;
  try {
    urls = await ready;
  } catch (e) {
    child.kill("SIGTERM");
    throw e;
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout.resume();

  process.env.E2E_APP_URL = urls.app;
  process.env.E2E_EMULATOR_URL = urls.emulator;
  process.env.E2E_STACK_PID = String(child.pid);
  process.env.E2E_STACK_HOME = home;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
