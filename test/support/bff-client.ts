import { DEMO } from "@/emulator/seed";
import { parseEnv, type Env } from "@/lib/server/platform/env";
import { GenesysClient } from "@/lib/server/genesys/client";

/** Config for the BFF pointed at an emulator, as `npm run demo` would set it, plus overrides. */
export function emulatorEnv(url: string, overrides: Record<string, string> = {}): Env {
  return parseEnv({
    GENESYS_CLIENT_ID: DEMO.clients.bff.id,
    GENESYS_CLIENT_SECRET: DEMO.clients.bff.secret,
    GENESYS_REGION: "us-east-1",
    GENESYS_GATEWAY_URL: url,
    ...overrides,
  });
}

/** A fresh client (own token, budget and limits) against the emulator. */
export function emulatorClient(url: string, overrides: Record<string, string> = {}): GenesysClient {
  const env = emulatorEnv(url, overrides);
  return new GenesysClient({ genesys: env.genesys, fetch: env.fetch });
}
