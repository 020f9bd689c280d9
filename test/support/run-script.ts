import { spawn } from "node:child_process";
import path from "node:path";

import { DEMO } from "@/emulator/seed";

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * One of the project's operator scripts (scripts/export.ts, scripts/doctor.ts) as a real process, with the
 * BFF's credentials pointed at the emulator at `gatewayUrl` and HOME in `home` (the SDK reads a config from it).
 */
export function runScript(script: string, args: string[], options: { gatewayUrl: string; home: string; env?: Record<string, string> }): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.resolve(script), ...args], {
      cwd: path.resolve("."),
      env: {
        ...process.env,
        HOME: options.home,
        GENESYS_CLIENT_ID: DEMO.clients.bff.id,
        GENESYS_CLIENT_SECRET: DEMO.clients.bff.secret,
        GENESYS_REGION: "us-east-1",
        GENESYS_GATEWAY_URL: options.gatewayUrl,
        ...options.env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
