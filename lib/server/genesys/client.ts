import "server-only";

import { SlidingWindowBudget } from "./request-limiter";
import {
  apiUserSchema,
  authzDivisionSchema,
  divisionListingSchema,
  divisionsPermittedSchema,
  noBodySchema,
  oauthClientSchema,
  organizationSchema,
  roleListingSchema,
  roleSchema,
  subjectGrantsListingSchema,
  subjectSchema,
  tokenInfoSchema,
  userListingSchema,
  usersSearchResponseSchema,
  type ApiUser,
  type AuthzDivision,
  type Role,
  type SubjectGrants,
} from "./schemas";
import { sdk } from "./sdk";
import { GenesysTransport, type CallOptions, type ClientStats, type GenesysClientDeps } from "./transport";

// The one module that talks to Genesys: each operation here goes through the transport (transport.ts), which
// owns budgets, timeouts, retries, the token and typed errors.

export type { CallOptions, ClientStats, GenesysClientDeps, UpstreamWait } from "./transport";
export type { IssuedToken, TokenSource } from "./token-source";

export interface UserSearchCriterion {
  type: "EXACT" | "STARTS_WITH" | "CONTAINS";
  fields: string[];
  values: string[];
  operator?: "AND" | "OR" | "NOT";
}

export interface UserSearchBody {
  pageSize: number;
  pageNumber: number;
  /** Omitted unless the order is known to be honoured (see search-assumptions.ts). */
  sort?: { sortBy: string; sortOrder: "ASC" | "DESC" }[];
  query: UserSearchCriterion[];
  enforcePermissions: boolean;
}

/** Below the documented STARTS_WITH search limit of 240 per 60 s, leaving room for other users of the token. */
const STARTS_WITH_PER_MINUTE = 200;

/** (inferred) GET /api/v2/users has no documented maximum page size; 500 is a third-party figure. */
const DIRECTORY_PAGE_SIZE = 500;

export class GenesysClient {
  private readonly transport: GenesysTransport;
  private readonly apis;
  readonly stats: ClientStats;
  private readonly startsWithBudget = new SlidingWindowBudget(STARTS_WITH_PER_MINUTE);

  constructor(deps: GenesysClientDeps) {
    this.transport = new GenesysTransport(deps);
    const sdkClient = this.transport.sdkClient;
    this.apis = {
      users: new sdk.UsersApi(sdkClient),
      search: new sdk.SearchApi(sdkClient),
      authorization: new sdk.AuthorizationApi(sdkClient),
      tokens: new sdk.TokensApi(sdkClient),
      oauth: new sdk.OAuthApi(sdkClient),
      organization: new sdk.OrganizationApi(sdkClient),
    };
    this.stats = this.transport.stats;
  }

  getDivision(divisionId: string, opts: CallOptions = {}): Promise<AuthzDivision> {
    return this.transport.call("getAuthorizationDivision", authzDivisionSchema, () => this.apis.authorization.getAuthorizationDivision(divisionId, { objectCount: true }), opts);
  }

  async listDivisions(opts: CallOptions = {}): Promise<AuthzDivision[]> {
    const out: AuthzDivision[] = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const page = await this.transport.call(
        "getAuthorizationDivisions",
        divisionListingSchema,
        () => this.apis.authorization.getAuthorizationDivisions({ pageSize: 100, pageNumber, objectCount: true }),
        opts,
      );
      out.push(...page.entities);
      if (page.entities.length === 0 || pageNumber >= (page.pageCount ?? 1)) return out;
    }
  }

  /** Divisions in which this client holds `permission` (all pages); `all` mirrors allDivsPermitted. */
  async divisionsPermitted(permission: string, opts: CallOptions = {}): Promise<{ all: boolean; divisions: AuthzDivision[]; correlationId?: string }> {
    const divisions: AuthzDivision[] = [];
    let all = false;
    let lastCorrelationId: string | undefined;
    for (let pageNumber = 1; ; pageNumber++) {
      const { data: page, correlationId } = await this.transport.callWithMeta(
        "getAuthorizationDivisionspermittedPagedMe",
        divisionsPermittedSchema,
        () => this.apis.authorization.getAuthorizationDivisionspermittedPagedMe(permission, { pageNumber, pageSize: 100 }),
        opts,
      );
      all ||= page.allDivsPermitted === true;
      divisions.push(...page.entities);
      lastCorrelationId = correlationId;
      if (page.entities.length === 0 || pageNumber >= (page.pageCount ?? 1)) return { all, divisions, ...(lastCorrelationId ? { correlationId: lastCorrelationId } : {}) };
    }
  }

  async searchUsers(body: UserSearchBody, opts: CallOptions = {}) {
    // Genesys' search-limits page caps STARTS_WITH searches at 240 a minute per token, below the general
    // 300: every partitioned page spends from it, so they are paced here rather than met with 429s.
    if (body.query.some((c) => c.type === "STARTS_WITH")) {
      const wait = this.startsWithBudget.waitEstimateMs();
      if (wait >= 1_000) opts.onWait?.({ reason: "budget", seconds: Math.ceil(wait / 1000) });
      await this.startsWithBudget.take(opts.signal);
      if (wait >= 1_000) opts.onWait?.(null);
    }
    return this.transport.call("postUsersSearch", usersSearchResponseSchema, () => this.apis.search.postUsersSearch(body), opts);
  }

  /** The directory's view of up to 100 users (any state): the authoritative division check. */
  async getUsersByIds(ids: string[], opts: CallOptions = {}): Promise<ApiUser[]> {
    if (ids.length > 100) throw new Error("getUsersByIds takes at most 100 ids");
    const page = await this.transport.call("getUsers", userListingSchema, () => this.apis.users.getUsers({ id: ids, pageSize: 100, state: "any" }), opts);
    return page.entities;
  }

  /** One page of the whole directory (GET /api/v2/users has no division filter), every state. */
  listUsersPage(pageNumber: number, opts: CallOptions = {}) {
    return this.transport.call("getUsers", userListingSchema, () => this.apis.users.getUsers({ pageNumber, pageSize: DIRECTORY_PAGE_SIZE, state: "any" }), opts);
  }

  /**
   * One page of the live directory's active users, every division at once: no index lag, and (for active
   * users) no 10,000-result window, so one paged pass serves every division (the org snapshot).
   */
  async listActiveUsersPage(pageNumber: number, opts: CallOptions = {}): Promise<{ entities: ApiUser[]; total: number | undefined; pageCount: number | undefined }> {
    const page = await this.transport.call("getUsers", userListingSchema, () => this.apis.users.getUsers({ pageNumber, pageSize: DIRECTORY_PAGE_SIZE, state: "active" }), opts);
    return { entities: page.entities, total: page.total, pageCount: page.pageCount };
  }

  /** One page of GET /api/v2/users in one state, at any page size and depth (the capability probe reads past 10,000). */
  listUsersInState(state: "active" | "inactive" | "deleted" | "any", pageNumber: number, pageSize: number, opts: CallOptions = {}) {
    return this.transport.call("getUsers", userListingSchema, () => this.apis.users.getUsers({ pageNumber, pageSize, state }), opts);
  }

  getUsersMe(opts: CallOptions = {}) {
    return this.transport.call("getUsersMe", apiUserSchema, () => this.apis.users.getUsersMe(), opts);
  }

  getTokenInfo(opts: CallOptions = {}) {
    return this.transport.call("getTokensMe", tokenInfoSchema, () => this.apis.tokens.getTokensMe(), opts);
  }

  /**
   * Revokes the token this client calls with (DELETE /api/v2/tokens/me): a staff member's client, at sign-out.
   * On the BFF's client it would revoke the token every instance shares.
   */
  async revokeOwnToken(opts: CallOptions = {}): Promise<void> {
    await this.transport.call("deleteTokensMe", noBodySchema, () => this.apis.tokens.deleteTokensMe(), opts);
  }

  getOauthClient(clientId: string, opts: CallOptions = {}) {
    return this.transport.call("getOauthClient", oauthClientSchema, () => this.apis.oauth.getOauthClient(clientId), opts);
  }

  getRole(roleId: string, opts: CallOptions = {}) {
    return this.transport.call("getAuthorizationRole", roleSchema, () => this.apis.authorization.getAuthorizationRole(roleId, { userCount: false }), opts);
  }

  /** A person's (or group's) grants: role and division pairs (needs authorization:grant:view). */
  getSubject(subjectId: string, opts: CallOptions = {}) {
    return this.transport.call("getAuthorizationSubject", subjectSchema, () => this.apis.authorization.getAuthorizationSubject(subjectId), opts);
  }

  /** Every role of the org with its permissions, all pages (needs authorization:role:view). */
  async listRoles(opts: CallOptions = {}): Promise<Role[]> {
    const out: Role[] = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const page = await this.transport.call("getAuthorizationRoles", roleListingSchema, () => this.apis.authorization.getAuthorizationRoles({ pageSize: 100, pageNumber, userCount: false }), opts);
      out.push(...page.entities);
      if (page.entities.length === 0 || pageNumber >= (page.pageCount ?? 1)) return out;
    }
  }

  /** Who holds one role, and in which divisions, all pages (needs authorization:role:view). */
  async roleSubjectGrants(roleId: string, opts: CallOptions = {}): Promise<SubjectGrants[]> {
    const out: SubjectGrants[] = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const page = await this.transport.call(
        "getAuthorizationRoleSubjectgrants",
        subjectGrantsListingSchema,
        () => this.apis.authorization.getAuthorizationRoleSubjectgrants(roleId, { pageSize: 100, pageNumber }),
        opts,
      );
      out.push(...page.entities);
      if (page.entities.length === 0 || pageNumber >= (page.pageCount ?? 1)) return out;
    }
  }

  getOrganization(opts: CallOptions = {}) {
    return this.transport.call("getOrganizationsMe", organizationSchema, () => this.apis.organization.getOrganizationsMe(), opts);
  }

  /** Obtains a token now (health checks, diagnostics). */
  async checkToken(): Promise<void> {
    await this.transport.accessToken();
  }
}
