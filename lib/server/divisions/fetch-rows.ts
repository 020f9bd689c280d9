import "server-only";

import type { ApiUser, AuthzDivision } from "@/lib/server/genesys";
import type { UserDto } from "@/lib/shared/contract";

import type { FetchOptions } from "./fetch-types";

// Rows shown while a fetch runs (issue 13: a cold 12,000-user division showed nothing for seconds). The rule
// that keeps this safe: a row is sent only when a read of the live directory made during this fetch places the
// user in this division — a bulk re-read by id, or a page of an org listing — never because search said so
// (the index lags and leaks). The result still decides: it replaces these rows when it arrives.

export function toDto(user: ApiUser, division: AuthzDivision): UserDto | null {
  if (user.state === "deleted") return null;
  return {
    id: user.id,
    name: user.name ?? "",
    email: user.email ?? "",
    username: user.username ?? "",
    title: user.title ?? "",
    department: user.department ?? "",
    state: user.state === "inactive" ? "inactive" : "active",
    divisionId: division.id,
    divisionName: division.name,
  };
}

export class ConfirmedRows {
  private readonly sent = new Set<string>();

  constructor(
    private readonly division: AuthzDivision,
    private readonly onRows: NonNullable<FetchOptions["onRows"]>,
    private readonly expected: number | null,
  ) {}

  /** Only in verify mode: fail-closed may yet withhold the whole list, and search-only confirms nothing. */
  static of(division: AuthzDivision, opts: FetchOptions, expected: number | null): ConfirmedRows | null {
    return opts.mode === "verify" && opts.onRows ? new ConfirmedRows(division, opts.onRows, expected) : null;
  }

  /** The directory's answers to a re-read by id (null: not in the directory), just received. */
  readonly reread = (answers: Iterable<ApiUser | null>): void => this.send(answers);

  /** One page of the org's active-user listing, just read (users of every division). */
  readonly listed = (page: readonly ApiUser[]): void => {
    // The listing asked for active users; the org pass keeps only those (org-snapshot-pass.ts), so do we.
    this.send(page.filter((u) => u.state === "active"));
  };

  private send(users: Iterable<ApiUser | null>): void {
    const batch: UserDto[] = [];
    for (const user of users) {
      if (!user || user.division?.id !== this.division.id || this.sent.has(user.id)) continue;
      const dto = toDto(user, this.division);
      if (!dto) continue;
      this.sent.add(user.id);
      batch.push(dto);
    }
    if (batch.length > 0) this.onRows({ users: batch, verified: this.sent.size, expected: this.expected });
  }
}

/** The org snapshot's page listener for `rows`, as `get` options. */
export function listedRows(rows: ConfirmedRows | null): { onPage?: (users: readonly ApiUser[]) => void } {
  return rows ? { onPage: rows.listed } : {};
}
