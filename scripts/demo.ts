// `npm run demo`: the local Genesys Cloud emulator plus the production build of the app, wired together.
// Honours PORT (the app, default 3000) and EMULATOR_PORT (default 4010).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";

import { DEMO } from "../emulator/seed";
import { startEmulator } from "../emulator/server";

const root = path.resolve(__dirname, "..");
const next = path.join(root, "node_modules", ".bin", "next");

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
  const emu = await startEmulator({ port: emulatorPort, host: "127.0.0.1" });
  console.log(`emulator: listening on ${emu.url} (demo org "${DEMO.orgName}")`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    GENESYS_CLIENT_ID: DEMO.clients.bff.id,
    GENESYS_CLIENT_SECRET: DEMO.clients.bff.secret,
    GENESYS_REGION: "us-east-1",
    GENESYS_GATEWAY_URL: emu.url,
    GENESYS_STAFF_CLIENT_ID: DEMO.clients.staffLogin.id,
    GENESYS_STAFF_CLIENT_SECRET: DEMO.clients.staffLogin.secret,
    NEXTAUTH_URL: `http://localhost:${appPort}`,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? randomBytes(32).toString("base64url"),
    PORT: String(appPort),
  };

  console.log("demo: building the app (next build)…");
  const build = spawnSync(next, ["build"], { cwd: root, env, stdio: "inherit" });
  if (build.status !== 0) {
    await emu.stop();
    process.exit(build.status ?? 1);
  }

  const app = spawn(next, ["start", "-p", String(appPort)], { cwd: root, env, stdio: "inherit" });
  console.log(`
Tenantscope demo
  app:       http://localhost:${appPort}
  emulator:  ${emu.url}  (sign-in page, /__emulator/health)
  accounts:  admin@northwind.example, ana.manager@northwind.example,
             ben.manager@northwind.example, no.access@northwind.example  (password: demo)
Note: the dashboard UI has not landed yet; the app currently serves a placeholder page.
Press Ctrl+C to stop.
`);
  const shutdown = () => {
    app.kill("SIGTERM");
    void emu.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  app.on("exit", (code) => {
    void emu.stop().then(() => process.exit(code ?? 0));
  });
}

void main();
