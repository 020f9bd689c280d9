import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * `tsx emulator/cli.ts …args` as its own process group: `listening` resolves with the URL it prints (rejects if
 * it exits first), `exited` with how it ended, and `kill` stops the whole group (npx → tsx → node).
 */
export function runEmulatorCli(args: string[]) {
  const child = spawn("npx", ["tsx", "emulator/cli.ts", ...args], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<CliExit>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(stdout);
      if (m?.[1] && Number(m[2]) > 0) resolve(m[1]);
    });
    void exited.then((e) => reject(new Error(`CLI exited (${e.code ?? e.signal}) before listening: ${e.stderr}`)));
  });
  listening.catch(() => undefined); // callers that expect an exit never await it
  const kill = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  return { listening, exited, kill };
}
