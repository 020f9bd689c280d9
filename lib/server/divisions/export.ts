import "server-only";

import { AppError, csvLines, csvStream, toCsvRow } from "@/lib/server/platform";
import { applyView, parseView, viewToParams, type UserView } from "@/lib/shared/user-view";


import type { AuthorizedDivision } from "./authorized";
import type { CachedResult } from "./cache";
import type { UserDto } from "./fetch";

// The export file: the same columns for the CLI and the CSV route, and for the route exactly the rows of the
// on-screen view (the table's own filter and sort code), with spreadsheet formulas neutralised.

export const EXPORT_COLUMNS = ["id", "name", "email", "username", "title", "department", "state", "divisionId", "divisionName"] as const;

export const EXPORT_HEADER = toCsvRow(EXPORT_COLUMNS);

export function userCells(u: UserDto): string[] {
  return EXPORT_COLUMNS.map((c) => u[c]);
}

export function userCsvRow(u: UserDto): string {
  return toCsvRow(userCells(u));
}

/** A file-name-safe slug of a division name: "Acme Insurance" → "acme-insurance". */
export function fileSlug(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "division";
}

/** The table's view (?q, state, sort) from a query; 400 naming the field when malformed. */
export function readExportView(params: URLSearchParams): UserView {
  const parsed = parseView(params);
  if (!parsed.ok) throw new AppError("bad_request", parsed.message, { details: { field: parsed.field } });
  return parsed.view;
}

/** The CSV of a view of a division's users, under a file name that says what it holds. */
export function divisionCsv(division: AuthorizedDivision, result: CachedResult, view: UserView): { rows: number; fileName: string; stream: ReadableStream<Uint8Array> } {
  const rows = applyView(result.value.users, view);
  const filtered = viewToParams({ ...view, sort: "name", desc: false }).toString() !== "";
  const date = result.value.meta.fetchedAt.slice(0, 10);
  const fileName = `${fileSlug(division.name)}-users${filtered ? "-filtered" : ""}-${date}.csv`;
  return { rows: rows.length, fileName, stream: csvStream(csvLines(EXPORT_COLUMNS, rows, userCells, { bom: true })) };
}
