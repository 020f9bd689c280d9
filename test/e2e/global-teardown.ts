import fs from "node:fs";

// Stops the stack started by global-setup.ts (SIGTERM: scripts/stack.ts stops the app and the emulator).
export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env.E2E_STACK_PID);
  if (pid > 0) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && alive(pid)) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
  const home = process.env.E2E_STACK_HOME;
  if (home) fs.rmSync(home, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
