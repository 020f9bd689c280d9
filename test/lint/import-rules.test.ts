import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

// The import rules of eslint.config.mjs, tried on code that breaks them: a rule that stopped firing (a renamed
// folder, a plugin update) would otherwise pass `npm run lint` silently. The code is linted as if it stood at
// `filePath`; nothing is written.

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: process.cwd() });
});

async function rulesBroken(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return [...new Set((result?.messages ?? []).map((m) => m.ruleId ?? m.message))].sort();
}

describe("import rules", () => {
  it("refuses an upward import (platform → genesys)", async () => {
    expect(await rulesBroken("lib/server/platform/probe.ts", 'import "server-only";\nimport { getBffClient } from "@/lib/server/genesys";\nexport const x = getBffClient;\n')).toContain(
      "import/no-restricted-paths",
    );
  });

  it("refuses an import across a layer's peers or upward between domains (divisions → audit)", async () => {
    expect(await rulesBroken("lib/server/divisions/probe.ts", 'import "server-only";\nimport { audit } from "@/lib/server/audit";\nexport const x = audit;\n')).toContain("import/no-restricted-paths");
    expect(await rulesBroken("lib/server/audit/probe.ts", 'import "server-only";\nimport { checkHealth } from "@/lib/server/diagnostics";\nexport const x = checkHealth;\n')).toContain(
      "import/no-restricted-paths",
    );
  });

  it("refuses reaching into another folder past its index.ts", async () => {
    expect(await rulesBroken("lib/server/audit/probe.ts", 'import "server-only";\nimport { fetchDivisionUsers } from "@/lib/server/divisions/fetch";\nexport const x = fetchDivisionUsers;\n')).toContain(
      "no-restricted-imports",
    );
    expect(await rulesBroken("app/api/probe/route.ts", 'import { getDivisionService } from "@/lib/server/divisions/service";\nexport const x = getDivisionService;\n')).toContain("no-restricted-imports");
  });

  it("allows a downward import through the index", async () => {
    expect(await rulesBroken("lib/server/audit/probe.ts", 'import "server-only";\nimport { assertDivisionId } from "@/lib/server/divisions";\nexport const x = assertDivisionId;\n')).toEqual([]);
  });

  it("refuses an import cycle", async () => {
    // env.ts reaches errors.ts (through env-fields.ts): errors.ts importing env.ts back closes a cycle.
    expect(await rulesBroken("lib/server/platform/errors.ts", 'import "server-only";\nimport { getEnv } from "./env";\nexport const x = getEnv;\n')).toContain("import/no-cycle");
  });

  it("keeps browser code and lib/shared away from server modules", async () => {
    expect(await rulesBroken("components/probe.tsx", 'import { getEnv } from "@/lib/server/platform";\nexport const x = getEnv;\n')).toContain("no-restricted-imports");
    expect(await rulesBroken("lib/client/probe.ts", 'import { getEnv } from "@/lib/server/platform";\nexport const x = getEnv;\n')).toContain("no-restricted-imports");
    expect(await rulesBroken("lib/shared/probe.ts", 'import { getEnv } from "@/lib/server/platform";\nexport const x = getEnv;\n')).toContain("no-restricted-imports");
  });

  it("keeps the contract's schemas (and zod) out of browser code's static imports; its types are fine", async () => {
    const schema = 'import { divisionsListSchema } from "@/lib/shared/contract";\nexport const x = divisionsListSchema;\n';
    expect(await rulesBroken("lib/client/probe.ts", schema)).toContain("no-restricted-imports");
    expect(await rulesBroken("components/probe.tsx", schema)).toContain("no-restricted-imports");
    expect(await rulesBroken("lib/client/probe.ts", 'import type { DivisionSummary } from "@/lib/shared/contract";\nexport type X = DivisionSummary;\n')).toEqual([]);
    // Nor past the barrel, nor zod itself; the two zod-free files are fine, and so are zod's types.
    expect(await rulesBroken("components/probe.tsx", 'import { userDtoSchema } from "@/lib/shared/contract/users";\nexport const x = userDtoSchema;\n')).toContain("no-restricted-imports");
    expect(await rulesBroken("lib/client/probe.ts", 'import * as z from "zod/mini";\nexport const x = z.string();\n')).toContain("no-restricted-imports");
    expect(await rulesBroken("lib/client/probe.ts", 'import { USERS_ACCEPT } from "@/lib/shared/contract/users-wire";\nexport const x = USERS_ACCEPT;\n')).toEqual([]);
    expect(await rulesBroken("lib/client/probe.ts", 'import type * as z from "zod/mini";\nexport type X = z.ZodMiniType;\n')).toEqual([]);
    // And those two files stay free of zod.
    expect(await rulesBroken("lib/shared/contract/users-wire.ts", 'import * as z from "zod/mini";\nexport const x = z.string();\n')).toContain("no-restricted-imports");
  });
});
