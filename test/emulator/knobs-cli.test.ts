// The realism knobs as command-line flags (emulator/cli-args.ts): parsed in-process, then once end to end through
// `npx tsx emulator/cli.ts`, whose GET /__emulator/faults must show the knobs the flags set.
import { describe, expect, it } from "vitest";

import { CliUsageError, parseCliArgs } from "@/emulator/cli-args";
import { applyFaultInput, NO_FAULTS } from "@/emulator/faults";

import { runEmulatorCli } from "../support/emulator-cli";
import { DOCUMENTED_KNOBS } from "../support/knob-variants";


function faultsOf(argv: string[]): Record<string, unknown> {
  const args = parseCliArgs(argv);
  if (args.help) throw new Error("unexpected --help");
  return args.options.faults ?? {};
}

describe("knob flags (parseCliArgs)", () => {
  it("sets nothing unless a knob flag is given, so every knob keeps its default", () => {
    expect(faultsOf([])).toEqual({});
    expect(applyFaultInput(NO_FAULTS, faultsOf([]))).toMatchObject(DOCUMENTED_KNOBS);
  });

  it("takes every knob by its JSON name or in kebab-case; a bare boolean flag means true", () => {
    const faults = faultsOf([
      "--sortById", "reject",
      "--starts-with-id", "empty",
      "--defaultSearchStates", "active",
      "--object-count-states", "all",
      "--listWindow",
      "--searchTypeLimits", "true",
      "--exact-case-sensitive", "false",
      "--permittedDivisionsUserOnly",
      "--port", "0",
    ]);
    expect(applyFaultInput(NO_FAULTS, faults)).toMatchObject({
      sortById: "reject",
      startsWithId: "empty",
      defaultSearchStates: "active",
      objectCountStates: "all",
      listWindow: true,
      searchTypeLimits: true,
      exactCaseSensitive: false,
      permittedDivisionsUserOnly: true,
    });
    expect(applyFaultInput(NO_FAULTS, faultsOf(["--sort-by-id", "ignore", "--objectCountStates", "active"]))).toMatchObject({
      sortById: "ignore",
      objectCountStates: "active",
    });
    // Knob flags mix with fault flags.
    expect(faultsOf(["--leak", "--p429", "0.5", "--listWindow", "--port", "0"])).toEqual({ leak: true, p429: 0.5, listWindow: "true" });
  });

  it("refuses a bad knob value with a usage error naming the knob", () => {
    const bad: [string[], RegExp][] = [
      [["--sortById", "sometimes"], /sortById must be one of "ok", "reject", "ignore"/],
      [["--sortById"], /sortById must be one of/],
      [["--startsWithId", "reject", "--starts-with-id", "x"], /startsWithId/],
      [["--defaultSearchStates", "all"], /defaultSearchStates must be one of "active\+inactive", "active"/],
      [["--objectCountStates", "deleted"], /objectCountStates/],
      [["--listWindow", "yes"], /listWindow must be true or false/],
      [["--exactCaseSensitive", "1"], /exactCaseSensitive must be true or false/],
    ];
    for (const [argv, message] of bad) expect(() => parseCliArgs(argv)).toThrow(message);
    expect(() => parseCliArgs(["--sortById", "nope"])).toThrow(CliUsageError);
  });
});

describe("knob flags (the CLI process)", () => {
  it("starts with the knobs the flags set (GET /__emulator/faults), and exits 2 on a bad knob value", async () => {
    const good = runEmulatorCli(["--port", "0", "--sortById", "reject", "--listWindow", "--object-count-states", "all"]);
    const bad = runEmulatorCli(["--port", "0", "--defaultSearchStates", "everything"]);
    try {
      const base = await good.listening;
      const faults = (await (await fetch(`${base}/__emulator/faults`)).json()) as Record<string, unknown>;
      expect(faults).toMatchObject({ sortById: "reject", listWindow: true, objectCountStates: "all", startsWithId: "ok", searchTypeLimits: false });
    } finally {
      good.kill();
    }
    // Should the bad one start anyway, it is stopped rather than left running.
    const exit = await Promise.race([bad.exited, bad.listening.then(() => ({ code: null, stderr: "started listening" }))]).finally(bad.kill);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('defaultSearchStates must be one of "active+inactive", "active"');
    expect(exit.stderr).toContain("--sortById ok|reject|ignore");
  });
});
