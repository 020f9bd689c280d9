// `npm run demo`: the local Genesys Cloud emulator plus the production build of the app, wired together.
// Honours PORT (the app, default 3000) and EMULATOR_PORT (default 4010). DEMO_CLIENT=misconfigured runs
// the app with the emulator's misconfigured OAuth client, to see what diagnostics say about it.
import { spawnSync } from "node:child_process";
import path from "node:path";

import { DEMO } from "../emulator/seed";
import { startStack } from "./stack";

const root = path.resolve(__dirname, "..");

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`${name} must be a port number (1-65535), got "${raw}"`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const appPort = port("PORT", 3000);
  const emulatorPort = port("EMULATOR_PORT", 4010);
  const misconfigured = process.env.DEMO_CLIENT === "misconfigured";

  console.log("demo: building the app (next build)…");
  const build = spawnSync(path.join(root, "node_modules", ".bin", "next"), ["build"], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "inherit",
  });
  if (build.status !== 0) process.exit(build.status ?? 1);

  const stack = await startStack({
    appPort,
    emulatorPort,
    verbose: true,
    env: {
      LOG_LEVEL: "info",
      // Kept between demo runs (git-ignored), so /audit shows earlier sessions too.
      AUDIT_DB_PATH: path.join(root, "data", "audit.sqlite"),
      ...(misconfigured ? { GENESYS_CLIENT_ID: DEMO.clients.misconfigured.id, GENESYS_CLIENT_SECRET: DEMO.clients.misconfigured.secret } : {}),
    },
  });
  console.log(`
Tenantscope demo${misconfigured ? " (with the MISCONFIGURED OAuth client: see /diagnostics)" : ""}
  app:       ${stack.appUrl}
  emulator:  ${stack.emulator.url}  (Genesys Cloud stand-in; /__emulator/health)
  accounts:  admin@northwind.example       (admin: every division, diagnostics)
             ana.manager@northwind.example (Acme Insurance)
             ben.manager@northwind.example (Globex Telecom, Initech Bank)
             no.access@northwind.example   (no division)
  password:  demo
Press Ctrl+C to stop.
`);
  const shutdown = () => void stack.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

void main();
