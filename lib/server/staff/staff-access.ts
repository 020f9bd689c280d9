import "server-only";

import { createHash } from "node:crypto";

import { appErrorFromUpstream, DIRECTORY_USER_VIEW, UpstreamError, refreshStaffToken, staffGenesysClient } from "@/lib/server/genesys";
import { awaitWithoutSlot, type AuthEnv, type Env } from "@/lib/server/platform";

// What a signed-in staff member may see, read from Genesys with their own token: the divisions where they
// hold directory:user:view (allDivsPermitted = all), re-read at most every `divisionsRefreshSeconds`, so a
// grant revoked in Genesys stops access within that window. Kept server-side, per user.

export interface StaffToken {
  userId: string;
  email: string;
  name: string;
  accessToken: string;
  refreshToken?: string;
  accessTokenExpiresAt: number;
}

export interface StaffAccess {
  userId: string;
  email: string;
  name: string;
  isAdmin: boolean;
  /** Divisions granted in Genesys; "all" when allDivsPermitted. Admins see every reachable division anyway. */
  divisionIds: ReadonlySet<string> | "all";
  checkedAt: number;
}

const MAX_USERS = 10_000;

interface Entry {
  access: StaffAccess;
  /** The newest token for this user (after a refresh the session cookie may still hold the old one). */
  token: StaffToken;
  /**
   * Hashes of the access tokens Genesys accepted for this user (and those they were refreshed from). A
   * session presenting any other token is not served from this entry: it must prove itself to Genesys.
   */
  verified: Set<string>;
}

function tokenHash(accessToken: string): string {
  return createHash("sha256").update(accessToken).digest("base64url");
}

export class StaffAccessResolver {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<StaffAccess | null>>();

  constructor(
    private readonly env: Env,
    private readonly auth: AuthEnv,
    private readonly now: () => number = Date.now,
  ) {}

  /** The staff member's access, or null when their Genesys sign-in no longer works (sign in again). */
  resolve(token: StaffToken): Promise<StaffAccess | null> {
    const entry = this.entries.get(token.userId);
    const known = entry?.verified.has(tokenHash(token.accessToken)) === true;
    if (entry && known && this.now() - entry.access.checkedAt < this.auth.divisionsRefreshSeconds * 1000) return Promise.resolve(entry.access);
    // A token this user's entry has never seen is checked with Genesys on its own, never via the entry.
    const key = known ? token.userId : `${token.userId}:${tokenHash(token.accessToken)}`;
    let flight = this.inflight.get(key);
    if (!flight) {
      const newest = known && entry && entry.token.accessTokenExpiresAt > token.accessTokenExpiresAt ? entry.token : token;
      flight = this.load(newest, token).finally(() => this.inflight.delete(key));
      this.inflight.set(key, flight);
    }
    return flight;
  }

  /** When this process last read a user's grants from Genesys (epoch ms), or null when it holds none. */
  lastRead(userId: string): number | null {
    return this.entries.get(userId)?.access.checkedAt ?? null;
  }

  /** Forgets a user (sign-out). */
  forget(userId: string): void {
    this.entries.delete(userId);
  }

  /** `presented` is the cookie's token; `token` may be a newer one refreshed from it. */
  private async load(token: StaffToken, presented: StaffToken): Promise<StaffAccess | null> {
    let current = token;
    const lineage = [presented.accessToken, token.accessToken];
    if (current.accessTokenExpiresAt <= this.now() + 30_000) {
      const renewed = await this.renew(current);
      if (!renewed) return this.drop(token.userId, presented);
      current = renewed;
    }
    try {
      return this.store(current, await this.read(current), lineage);
    } catch (e) {
      if (e instanceof UpstreamError && e.status === 401) {
        // Expired or revoked: one refresh, then give up (the person must sign in again).
        const renewed = await this.renew(current);
        if (!renewed) return this.drop(token.userId, presented);
        try {
          return this.store(renewed, await this.read(renewed), lineage);
        } catch (again) {
          if (again instanceof UpstreamError && again.status === 401) return this.drop(token.userId, presented);
          throw toAppError(again);
        }
      }
      throw toAppError(e);
    }
  }

  private async read(token: StaffToken): Promise<Omit<StaffAccess, "checkedAt">> {
    const client = staffGenesysClient(this.env, token.accessToken);
    const [view, admin] = await Promise.all([
      client.divisionsPermitted(DIRECTORY_USER_VIEW),
      this.auth.adminPermission ? client.divisionsPermitted(this.auth.adminPermission) : Promise.resolve(null),
    ]);
    const isAdmin =
      this.auth.adminEmails.includes(token.email.toLowerCase()) ||
      this.auth.adminUserIds.includes(token.userId.toLowerCase()) ||
      (admin !== null && (admin.all || admin.divisions.length > 0));
    return {
      userId: token.userId,
      email: token.email,
      name: token.name,
      isAdmin,
      divisionIds: view.all ? "all" : new Set(view.divisions.map((d) => d.id)),
    };
  }

  private store(token: StaffToken, access: Omit<StaffAccess, "checkedAt">, lineage: string[]): StaffAccess {
    const full: StaffAccess = { ...access, checkedAt: this.now() };
    const previous = this.entries.get(token.userId);
    const verified = new Set(previous?.verified);
    for (const t of [...lineage, token.accessToken]) verified.add(tokenHash(t));
    this.entries.delete(token.userId);
    this.entries.set(token.userId, { access: full, token, verified });
    while (this.entries.size > MAX_USERS) this.entries.delete(this.entries.keys().next().value as string);
    return full;
  }

  /** The presented token is dead: forget it (other sessions of the same person keep theirs). */
  private drop(userId: string, presented: StaffToken): null {
    const entry = this.entries.get(userId);
    entry?.verified.delete(tokenHash(presented.accessToken));
    if (!entry || entry.verified.size === 0 || entry.token.accessToken === presented.accessToken) this.entries.delete(userId);
    return null;
  }

  private async renew(token: StaffToken): Promise<StaffToken | null> {
    if (!token.refreshToken) return null;
    try {
      const fresh = await awaitWithoutSlot(refreshStaffToken(this.env, this.auth, token.refreshToken));
      return { ...token, ...fresh };
    } catch (e) {
      if (e instanceof UpstreamError && (e.status === 400 || e.status === 401)) return null;
      throw toAppError(e);
    }
  }
}

function toAppError(e: unknown): unknown {
  return e instanceof UpstreamError ? appErrorFromUpstream(e) : e;
}


