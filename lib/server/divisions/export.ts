import "server-only";

import { toCsvRow } from "@/lib/server/platform";
import type { UserDto } from "./fetch";

// The export columns, shared by the CLI and the CSV route so both write the same file.
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
