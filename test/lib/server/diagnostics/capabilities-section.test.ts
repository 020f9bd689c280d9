// The admin diagnostics' "Genesys capabilities" section, with the process's own configuration pointed at the
// emulator: the body matches the contract, and the divisions check survives an org that answers
// divisionspermitted only for user tokens.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import { runDiagnostics } from "@/lib/server/diagnostics/run";
import { diagnosticsSchema } from "@/lib/shared/contract";

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  // Read once, on first use (getEnv): set before anything asks.
  Object.assign(process.env, {
    GENESYS_CLIENT_ID: DEMO.clients.bff.id,
    GENESYS_CLIENT_SECRET: DEMO.clients.bff.secret,
    GENESYS_REGION: "us-east-1",
    GENESYS_GATEWAY_URL: emu.url,
  });
  delete process.env.REDIS_URL;
});

afterAll(async () => {
  await emu?.stop();
});

beforeEach(() => {
  emu.reset();
});

describe("runDiagnostics: Genesys capabilities", () => {
  it("reports every probe, shaped as the contract says", async () => {
    const body = diagnosticsSchema.parse(await runDiagnostics());
    expect(body.capabilities?.ok).toBe(true);
    const values = Object.fromEntries((body.capabilities?.value ?? []).map((r) => [r.key, r.value]));
    expect(values).toMatchObject({ sortById: "ok", startsWithId: "ok", permittedDivisions: "ok", searchTypeLimits: "assumed" });
    expect(body.capabilities?.value).toHaveLength(8);
    // The existing checks are unchanged: Stark Retail is the one division without the grant.
    expect(body.divisions.value?.filter((d) => !d.hasDirectoryUserView).map((d) => d.name)).toEqual(["Stark Retail"]);
  });

  it("lists the divisions from the client's roles where divisionspermitted needs a user token", async () => {
    emu.setFaults({ permittedDivisionsUserOnly: true, sortById: "ignore" });
    const body = diagnosticsSchema.parse(await runDiagnostics());
    expect(body.divisions.value?.filter((d) => !d.hasDirectoryUserView).map((d) => d.name)).toEqual(["Stark Retail"]);
    const values = Object.fromEntries((body.capabilities?.value ?? []).map((r) => [r.key, r.value]));
    expect(values).toMatchObject({ permittedDivisions: "user-only", sortById: "ignore" });
  });
});
