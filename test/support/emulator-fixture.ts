import { afterAll, beforeAll, beforeEach } from "vitest";

import { startEmulator, type RunningEmulator } from "@/emulator/server";

export interface EmulatorFixture {
  readonly emu: RunningEmulator;
  /** `PUT /__emulator/faults`: faults and realism knobs, as a test or an operator would set them over HTTP. */
  setFaults(faults: Record<string, unknown>): Promise<void>;
}

/** One emulator for the test file, reset (directory, faults, knobs, stats) before each test. */
export function emulatorForFile(): EmulatorFixture {
  let running: RunningEmulator | undefined;
  beforeAll(async () => {
    running = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await running?.stop();
  });
  beforeEach(() => {
    running?.reset();
  });
  const emu = (): RunningEmulator => {
    if (!running) throw new Error("the emulator is not running (emulatorForFile() must be called at the top of a test file)");
    return running;
  };
  return {
    get emu() {
      return emu();
    },
    async setFaults(faults) {
      const res = await fetch(`${emu().url}/__emulator/faults`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(faults) });
      if (res.status !== 200) throw new Error(`faults: ${res.status} ${await res.text()}`);
    },
  };
}
