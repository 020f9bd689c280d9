import "server-only";

import { createHash } from "node:crypto";

import { appErrorFromUpstream, DIRECTORY_USER_VIEW, UpstreamError, refreshStaffToken, staffGenesysClient } from "@/lib/server/genesys";
import { awaitWithoutSlot, type AuthEnv, type Env } from "@/lib/server/platform";

import { localStaffShare, type StaffAccessShare, type StaffRecord } from "./staff-share";
import type { StaffAccess, StaffToken } from "./staff-types";

// What a signed-in staff member may see, read from Genesys with their own token: the divisions where they
// hold directory:user:view (allDivsPermitted = all), re-read at most every `divisionsRefreshSeconds`, so a
// grant revoked in Genesys stops access within that window. Kept server-side, per sign-in (session), in this
// process and, with Redis, for every instance (staff-share.ts).

const MAX_SESSIONS = 10_000;

/**
 * A sign-in's key: the hash of the Genesys access token its session cookie carries (set once at sign-in,
 * never rewritten). A session presenting another token finds no record and must prove itself to Genesys.
 */
export function staffSessionKey(token: StaffToken): string {
  return createHash("sha256").update(token.accessToken).digest("base64url");
}

export interface StaffAccessResolverOptions {
  now?: () => number;
  /** Where records are shared between instances (default: this process only). */
  share?: StaffAccessShare;
}

export class StaffAccessResolver {
  private readonly records = new Map<string, StaffRecord>();
  private readonly inflight = new Map<string, Promise<StaffAccess | null>>();
  private readonly now: () => number;
  private readonly share: StaffAccessShare;

  constructor(
    private readonly env: Env,
    private readonly auth: AuthEnv,
    options: StaffAccessResolverOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.share = options.share ?? localStaffShare;
  }

  /** The staff member's access, or null when their Genesys sign-in no longer works (sign in again). */
  resolve(token: StaffToken): Promise<StaffAccess | null> {
    const key = staffSessionKey(token);
    const local = this.records.get(key);
    if (local && this.isFresh(local)) return Promise.resolve(local.access);
    let flight = this.inflight.get(key);
    if (!flight) {
      flight = this.refresh(key, token, local).finally(() => this.inflight.delete(key));
      this.inflight.set(key, flight);
    }
    return flight;
  }

  /**
   * When this instance last read a person's grants from Genesys (epoch ms; the newest of their sessions'
   * records, which may have been read by another instance and shared), or null when it holds none.
   */
  lastRead(userId: string): number | null {
    let newest: number | null = null;
    for (const record of this.records.values()) {
      if (record.access?.userId === userId && (newest === null || record.checkedAt > newest)) newest = record.checkedAt;
    }
    return newest;
  }

  /** Sign-out: this sign-in's record is dropped here and for every instance (the person's other sessions keep theirs). */
  async forget(token: StaffToken): Promise<void> {
    const key = staffSessionKey(token);
    this.records.delete(key);
    await this.share.forget(key);
  }

  /**
   * Fresh until `divisionsRefreshSeconds` after it was read, by whichever instance read it. A record from a
   * host whose clock runs a little ahead looks younger than zero: still fresh (within one window).
   */
  private isFresh(record: StaffRecord): boolean {
    const window = this.auth.divisionsRefreshSeconds * 1000;
    const age = this.now() - record.checkedAt;
    return age > -window && age < window;
  }

  private async refresh(key: string, presented: StaffToken, local: StaffRecord | undefined): Promise<StaffAccess | null> {
    const record = await this.share.refresh(key, (r) => this.isFresh(r), (known) => this.load(presented, known), local);
    this.records.delete(key);
    this.records.set(key, record);
    while (this.records.size > MAX_SESSIONS) this.records.delete(this.records.keys().next().value as string);
    return record.access;
  }

  /** Reads the access with the newest token of this sign-in: the cookie's, or one refreshed from it. */
  private async load(presented: StaffToken, known: StaffRecord | undefined): Promise<StaffRecord> {
    const previous = known?.token;
    let current = previous && previous.accessTokenExpiresAt > presented.accessTokenExpiresAt ? previous : presented;
    if (current.accessTokenExpiresAt <= this.now() + 30_000) {
      const renewed = await this.renew(current);
      if (!renewed) return this.dead();
      current = renewed;
    }
    try {
      return this.found(current, await this.read(current));
    } catch (e) {
      if (!(e instanceof UpstreamError && e.status === 401)) throw toAppError(e);
    }
    // Expired or revoked: one refresh, then give up (the person must sign in again).
    const renewed = await this.renew(current);
    if (!renewed) return this.dead();
    try {
      return this.found(renewed, await this.read(renewed));
    } catch (again) {
      if (again instanceof UpstreamError && again.status === 401) return this.dead();
      throw toAppError(again);
    }
  }

  private found(token: StaffToken, access: Omit<StaffAccess, "checkedAt">): StaffRecord {
    const checkedAt = this.now();
    return { checkedAt, access: { ...access, checkedAt }, token };
  }

  /** The sign-in no longer works: remembered for the refresh window, like an answer. */
  private dead(): StaffRecord {
    return { checkedAt: this.now(), access: null, token: null };
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
