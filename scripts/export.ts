// npm run export -- --division <id or exact name> [--format json|csv|ndjson] [--out FILE] [--state active|inactive|any]
// Headless export of one division's users with the BFF library and configuration (.env).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";

import { audit, auditRefusal } from "@/lib/server/audit";
import { fetchDivisionUncached, EXPORT_HEADER, operatorAccess, userCsvRow, type DivisionUsers, type UserDto } from "@/lib/server/divisions";
import { adviceFor, appErrorFromUpstream, toUpstreamError, UpstreamError } from "@/lib/server/genesys";
import { AppError, ConfigError, logToStderr } from "@/lib/server/platform";
import { filterRows, type StateFilter } from "@/lib/shared/user-view";

const USAGE = "Usage: npm run export -- --division <id or exact name> [--format json|csv|ndjson] [--out FILE] [--state active|inactive|any]";

const EXIT = { ok: 0, other: 1, usage: 2, notFound: 3, forbidden: 4, incomplete: 5 } as const;

class UsageError extends Error {}

function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError || e instanceof ConfigError) return EXIT.usage;
  if (!(e instanceof AppError)) return EXIT.other;
  if (e.code === "bad_request") return EXIT.usage;
  if (e.code === "not_found") return EXIT.notFound;
  if (e.code === "upstream_forbidden") return EXIT.forbidden;
  if (e.code === "isolation_violation" || e.code === "incomplete_result") return EXIT.incomplete;
  return EXIT.other;
}

function parse() {
  const { values } = parseArgs({
    options: {
      division: { type: "string" },
      format: { type: "string", default: "json" },
      out: { type: "string" },
      state: { type: "string", default: "any" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(EXIT.ok);
  }
  if (!values.division) throw new UsageError("--division is required");
  if (!["json", "csv", "ndjson"].includes(values.format)) throw new UsageError(`--format must be json, csv or ndjson (got "${values.format}")`);
  if (!["active", "inactive", "any"].includes(values.state)) throw new UsageError(`--state must be active, inactive or any (got "${values.state}")`);
  return { division: values.division, format: values.format as "json" | "csv" | "ndjson", out: values.out, state: values.state as StateFilter };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function render(result: DivisionUsers, users: UserDto[], format: "json" | "csv" | "ndjson", state: StateFilter): string {
  if (format === "csv") return EXPORT_HEADER + users.map(userCsvRow).join("");
  if (format === "ndjson") return users.map((u) => JSON.stringify(u)).join("\n") + (users.length ? "\n" : "");
  return JSON.stringify({ division: result.division, meta: { ...result.meta, stateFilter: state, rows: users.length }, users }, null, 2) + "\n";
}

/** The person running the CLI holds the BFF's own credentials: recorded as an operator, by OS account. */
const OPERATOR = { id: `cli:${os.userInfo().username}@${os.hostname()}`, email: "", role: "operator" } as const;
const RUN_ID = randomUUID();
let attempted: string | undefined;

function attemptedDivision(): { divisionId?: string; divisionName?: string } {
  if (attempted === undefined) return {};
  return UUID.test(attempted) ? { divisionId: attempted } : { divisionName: attempted.slice(0, 200) };
}

async function main(): Promise<number> {
  const args = parse();
  attempted = args.division;
  if (fs.existsSync(".env")) process.loadEnvFile(".env");
  // Standard output is the export itself; log lines (one per Genesys call at info) go to stderr, warnings only unless asked.
  process.env.LOG_LEVEL ??= "warn";
  logToStderr();
  // The operator path: no staff grants apply, the isolation checks do. With REDIS_URL, the export spends from
  // the same per-minute budget (and token) as the running app.
  const division = await operatorAccess.forExport(args.division);
  let lastPct = -1;
  const result = await fetchDivisionUncached(division, (p) => {
    const pct = p.pagesTotal ? Math.floor((100 * p.pagesDone) / p.pagesTotal) : 0;
    if (process.stderr.isTTY && pct !== lastPct) {
      lastPct = pct;
      process.stderr.write(`\r${p.phase}: ${p.pagesDone}/${p.pagesTotal} pages, ${p.rows} rows`);
    }
  });
  if (process.stderr.isTTY) process.stderr.write("\n");
  const users = filterRows(result.users, { q: "", state: args.state });
  const text = render(result, users, args.format, args.state);
  if (args.out) fs.writeFileSync(args.out, text);
  // Exiting right after a write to a pipe would cut a large export short: wait until it is handed over.
  else await new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
  const iso = result.meta.isolation;
  // Awaited: with PostgreSQL the event is stored (or buffered on disk) only when this settles.
  await audit({
    action: "division.export",
    actor: OPERATOR,
    divisionId: result.division.id,
    divisionName: result.division.name,
    rows: users.length,
    isolation: { checked: iso.checked, verified: iso.verified, dropped: iso.dropped.length, countMatches: iso.countMatches, consistent: result.meta.consistent },
    outcome: "ok",
    requestId: RUN_ID,
  });
  console.error(
    `Exported ${users.length} users of ${result.division.name}` +
      ` (${iso.verified ? `${iso.verified} verified against the directory` : "search only"}, ${iso.dropped.length} rows of other divisions dropped,` +
      ` Genesys counts ${iso.objectCount ?? "?"}) in ${(result.meta.durationMs / 1000).toFixed(1)} s, ${result.meta.upstreamCalls} upstream calls` +
      (args.out ? ` → ${args.out}` : ""),
  );
  if (!result.meta.consistent) console.error(`Warning: the result may be inconsistent: ${result.meta.consistencyNotes.join("; ")}`);
  return EXIT.ok;
}

main().then(
  (code) => process.exit(code),
  async (raw: unknown) => {
    const parseArgsError = typeof (raw as { code?: unknown }).code === "string" && (raw as { code: string }).code.startsWith("ERR_PARSE_ARGS");
    const e = raw instanceof UpstreamError ? appErrorFromUpstream(raw) : parseArgsError ? new UsageError((raw as Error).message) : raw;
    if (e instanceof UsageError) console.error(`${e.message}\n${USAGE}`);
    else if (e instanceof AppError) {
      console.error(`Error (${e.code}): ${e.message}`);
      for (const step of adviceFor(e)) console.error(`  - ${step}`);
    } else {
      // Never print a raw SDK error: it can carry the Basic auth header.
      const safe = toUpstreamError(e);
      console.error(`Error: ${safe.message}`);
    }
    // Refusals and failures are on record too (not usage or configuration errors: nothing was attempted).
    if (e instanceof AppError && !(e instanceof ConfigError)) await auditRefusal("division.export", null, e, RUN_ID, attemptedDivision(), OPERATOR);
    process.exit(exitCodeFor(e));
  },
);
