import "server-only";

import { csvLines, csvStream, type CsvCell } from "@/lib/server/platform";
import type { AccessAdmin, AccessDivisionViewers, AccessViewer } from "@/lib/shared/contract";

// The access review a BPO owes its client: who in the company can see this tenant's people, as CSV. Names
// come from Genesys (typed by people), so every cell goes through the formula-safe CSV writer.

export const ACCESS_REVIEW_HEADER = ["Division", "Division id", "Name", "Email", "Subject type", "Subject id", "Access through", "Granted in"] as const;

const TYPE_LABELS: Record<AccessViewer["type"], string> = { user: "Person", group: "Group (its members)", client: "OAuth client", other: "Other" };
const ADMIN_SETTINGS: Record<AccessAdmin["by"], string> = {
  email: "Tenantscope administrator (TENANTSCOPE_ADMIN_EMAILS)",
  userId: "Tenantscope administrator (TENANTSCOPE_ADMIN_USER_IDS)",
  permission: "Tenantscope administrator (TENANTSCOPE_ADMIN_PERMISSION)",
};

type Row = { kind: "viewer"; viewer: AccessViewer } | { kind: "admin"; admin: AccessAdmin };

export function accessReviewRows(body: AccessDivisionViewers): Row[] {
  return [...body.viewers.map((viewer): Row => ({ kind: "viewer", viewer })), ...body.admins.map((admin): Row => ({ kind: "admin", admin }))];
}

export function accessReviewCells(body: AccessDivisionViewers, row: Row): CsvCell[] {
  const d = body.division;
  if (row.kind === "viewer") {
    const v = row.viewer;
    return [d.name, d.id, v.name, v.email ?? "", TYPE_LABELS[v.type], v.subjectId, `Role: ${v.roleName}`, v.scope === "all" ? "All divisions" : d.name];
  }
  const a = row.admin;
  return [d.name, d.id, a.name ?? "", a.email ?? "", "Person", a.id ?? "", ADMIN_SETTINGS[a.by], "Every division Tenantscope can read"];
}

/** The CSV and its file name; `onEnd` gets the rows sent once the client has read it all (or went away). */
export function accessReviewCsv(body: AccessDivisionViewers, onEnd: (rows: number, how: "complete" | "cancelled") => void): { stream: ReadableStream<Uint8Array>; fileName: string } {
  const rows = accessReviewRows(body);
  const slug = body.division.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || body.division.id;
  const day = body.readAt.slice(0, 10);
  const stream = csvStream(csvLines(ACCESS_REVIEW_HEADER, rows, (r) => accessReviewCells(body, r), { bom: true }), (how) => onEnd(rows.length, how));
  return { stream, fileName: `access-review-${slug}-${day}.csv` };
}
