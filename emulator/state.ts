// The emulator's mutable world: the directory (the truth), the search index (which can lag it), issued
// tokens and authorization codes, and the authorization model that every endpoint consults.
import { randomBytes } from "node:crypto";

import type { EmuDivision, EmuGrant, EmuOAuthClient, EmuOrg, EmuRole, EmuUser } from "./model";

export type Subject =
  | { kind: "client"; client: EmuOAuthClient }
  | { kind: "user"; client: EmuOAuthClient; user: EmuUser };

export interface TokenRecord {
  token: string;
  subject: Subject;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export interface RefreshRecord {
  token: string;
  clientId: string;
  userId: string;
  revoked: boolean;
}

export interface CodeRecord {
  code: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  codeChallenge?: string;
  expiresAt: number;
  used: boolean;
}

/** A user as the search index last saw it: a frozen copy, so a lagging index keeps the old division. */
export type IndexedUser = Readonly<EmuUser>;

export class EmulatorState {
  readonly org: EmuOrg;
  readonly users = new Map<string, EmuUser>();
  readonly divisions = new Map<string, EmuDivision>();
  readonly roles = new Map<string, EmuRole>();
  readonly clients = new Map<string, EmuOAuthClient>();
  /** The search index, in the order documents were indexed (the order of SCORE-sorted results). */
  readonly index = new Map<string, IndexedUser>();
  /** Bumped on every index write; search caches its sorted result sets per version. */
  indexVersion = 0;
  /** While true, directory writes do not reach the search index (the `staleIndex` fault). */
  indexFrozen = false;

  readonly tokens = new Map<string, TokenRecord>();
  readonly refreshTokens = new Map<string, RefreshRecord>();
  readonly codes = new Map<string, CodeRecord>();
  /** Per-client token lifetime overrides (tests use seconds-long lifetimes). */
  readonly lifetimeOverrides = new Map<string, number>();

  constructor(org: EmuOrg, readonly now: () => number = Date.now) {
    this.org = org;
    for (const d of org.divisions) this.divisions.set(d.id, d);
    for (const r of org.roles) this.roles.set(r.id, r);
    for (const c of org.clients) this.clients.set(c.id, c);
    for (const u of org.users) {
      this.users.set(u.id, u);
      this.index.set(u.id, Object.freeze({ ...u }));
    }
    this.indexVersion++;
  }

  homeDivision(): EmuDivision {
    const home = this.org.divisions.find((d) => d.homeDivision);
    if (!home) throw new Error("seed has no home division");
    return home;
  }

  /** Moves a user in the directory; the index follows unless it is frozen. */
  moveUser(userId: string, divisionId: string): void {
    const user = this.users.get(userId);
    if (!user || !this.divisions.has(divisionId)) throw new Error(`cannot move ${userId} to ${divisionId}`);
    user.divisionId = divisionId;
    user.version++;
    if (!this.indexFrozen) this.reindex(user);
  }

  reindex(user: EmuUser): void {
    // Re-inserting puts the document at the end, like a fresh write to an index.
    this.index.delete(user.id);
    this.index.set(user.id, Object.freeze({ ...user }));
    this.indexVersion++;
  }

  /** Directory members of a division (not deleted), sorted by id. */
  memberIds(divisionId: string, states: ReadonlyArray<EmuUser["state"]> = ["active", "inactive"]): string[] {
    const ids: string[] = [];
    for (const u of this.users.values()) if (u.divisionId === divisionId && states.includes(u.state)) ids.push(u.id);
    return ids.sort();
  }

  // ---- tokens -------------------------------------------------------------------------------------------

  issueToken(subject: Subject): TokenRecord {
    const lifetime = this.lifetimeOverrides.get(subject.client.id) ?? subject.client.accessTokenValiditySeconds;
    const issuedAt = this.now();
    const rec: TokenRecord = {
      token: randomBytes(32).toString("base64url"),
      subject,
      issuedAt,
      expiresAt: issuedAt + lifetime * 1000,
      revoked: false,
    };
    this.tokens.set(rec.token, rec);
    return rec;
  }

  lifetimeSeconds(client: EmuOAuthClient): number {
    return this.lifetimeOverrides.get(client.id) ?? client.accessTokenValiditySeconds;
  }

  /** DELETE /api/v2/tokens/me: that access token only (the spec says nothing of its refresh token, so it lives on). */
  revokeToken(token: string): void {
    const rec = this.tokens.get(token);
    if (rec) rec.revoked = true;
  }

  revokeAllTokens(): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (!t.revoked) {
        t.revoked = true;
        n++;
      }
    }
    for (const r of this.refreshTokens.values()) r.revoked = true;
    return n;
  }

  // ---- authorization ------------------------------------------------------------------------------------

  grantsOf(subject: Subject): EmuGrant[] {
    // As in Genesys, a client-credentials client acts through its roleDivisions; a user token acts with the
    // user's own grants (the org is assumed not to enforce OAuth scopes).
    return subject.kind === "client" ? subject.client.roleDivisions : subject.user.grants;
  }

  /** Divisions in which the subject holds `permission`, and whether it holds it in all of them. */
  permittedDivisions(subject: Subject, permission: string): { all: boolean; ids: Set<string> } {
    const ids = new Set<string>();
    let all = false;
    for (const g of this.grantsOf(subject)) {
      const role = this.roles.get(g.roleId);
      if (!role || !roleGrants(role, permission)) continue;
      if (g.divisionId === "*") all = true;
      else if (this.divisions.has(g.divisionId)) ids.add(g.divisionId);
    }
    if (all) for (const d of this.divisions.keys()) ids.add(d);
    return { all, ids };
  }

  hasAnyPermission(subject: Subject, permission: string): boolean {
    return this.permittedDivisions(subject, permission).ids.size > 0;
  }
}

/** Genesys permission strings are domain:entity:action; a `*` in a role's permission matches any part. */
export function roleGrants(role: EmuRole, permission: string): boolean {
  const want = permission.split(":");
  return role.permissions.some((p) => {
    const have = p.split(":");
    return have.length === want.length && have.every((part, i) => part === "*" || part === want[i]);
  });
}
