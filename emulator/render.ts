// Turns emulator records into response bodies shaped exactly as the spec's models.
import type { EmuDivision, EmuOAuthClient, EmuRole, EmuUser } from "./model";
import type { EmulatorState } from "./state";

export function divisionRef(state: EmulatorState, divisionId: string) {
  const d = state.divisions.get(divisionId);
  return { id: divisionId, name: d?.name ?? "", selfUri: `/api/v2/authorization/divisions/${divisionId}` };
}

/** A `User`. `view` is the record to render: the directory's, or the search index's possibly stale copy. */
export function renderUser(state: EmulatorState, view: Readonly<EmuUser>) {
  const manager = view.managerId ? state.users.get(view.managerId) : undefined;
  return {
    id: view.id,
    name: view.name,
    division: divisionRef(state, view.divisionId),
    chat: { jabberId: `${view.id.replace(/-/g, "")}@${state.org.domain}.orgspan.com` },
    ...(view.department !== undefined ? { department: view.department } : {}),
    email: view.email,
    primaryContactInfo: [{ address: view.email, mediaType: "EMAIL", type: "PRIMARY" }],
    addresses: [],
    state: view.state,
    ...(view.title !== undefined ? { title: view.title } : {}),
    username: view.username,
    ...(manager ? { manager: { id: manager.id, selfUri: `/api/v2/users/${manager.id}`, version: manager.version } } : {}),
    images: [],
    version: view.version,
    acdAutoAnswer: false,
    selfUri: `/api/v2/users/${view.id}`,
  };
}

export function renderDivision(division: EmuDivision, objectCounts?: Record<string, number>) {
  return {
    id: division.id,
    name: division.name,
    description: division.description,
    homeDivision: division.homeDivision,
    ...(objectCounts ? { objectCounts } : {}),
    selfUri: `/api/v2/authorization/divisions/${division.id}`,
  };
}

export function renderRole(role: EmuRole, userCount?: number) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: role.permissions,
    permissionPolicies: [],
    ...(userCount !== undefined ? { userCount } : {}),
    base: false,
    default: false,
    selfUri: `/api/v2/authorization/roles/${role.id}`,
  };
}

export function renderOrgClient(state: EmulatorState, client: EmuOAuthClient) {
  return {
    id: client.id,
    name: client.name,
    dateCreated: client.dateCreated,
    authorizedGrantType: client.authorizedGrantType,
    scope: [],
    // Genesys: roleDivisions apply only to client-credentials clients.
    roleDivisions: client.authorizedGrantType === "CLIENT-CREDENTIALS" ? client.roleDivisions.map((g) => ({ roleId: g.roleId, divisionId: g.divisionId })) : [],
    state: client.state,
    organization: { id: state.org.id, name: state.org.name },
  };
}

export function renderOAuthClient(state: EmulatorState, client: EmuOAuthClient) {
  return {
    id: client.id,
    name: client.name,
    accessTokenValiditySeconds: state.lifetimeSeconds(client),
    description: client.description,
    registeredRedirectUri: client.registeredRedirectUri,
    roleIds: [...new Set(client.roleDivisions.map((g) => g.roleId))],
    dateCreated: client.dateCreated,
    authorizedGrantType: client.authorizedGrantType,
    scope: [],
    roleDivisions: client.authorizedGrantType === "CLIENT-CREDENTIALS" ? client.roleDivisions.map((g) => ({ roleId: g.roleId, divisionId: g.divisionId })) : [],
    state: client.state,
    selfUri: `/api/v2/oauth/clients/${client.id}`,
  };
}

interface Listing<T> {
  entities: T[];
  pageSize: number;
  pageNumber: number;
  total: number;
  pageCount: number;
  firstUri: string;
  selfUri: string;
  lastUri: string;
  nextUri?: string;
  previousUri?: string;
}

/** The spec's `*EntityListing` envelope, with relative page URIs. */
export function listing<T>(all: T[], pageNumber: number, pageSize: number, path: string, query: URLSearchParams): Listing<T> {
  const total = all.length;
  const pageCount = Math.ceil(total / pageSize);
  const uri = (n: number) => {
    const q = new URLSearchParams(query);
    q.set("pageSize", String(pageSize));
    q.set("pageNumber", String(n));
    return `${path}?${q.toString()}`;
  };
  return {
    entities: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    pageSize,
    pageNumber,
    total,
    pageCount,
    firstUri: uri(1),
    selfUri: uri(pageNumber),
    lastUri: uri(Math.max(1, pageCount)),
    ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
    ...(pageNumber > 1 ? { previousUri: uri(pageNumber - 1) } : {}),
  };
}

// Serialising 100 users for every page made the emulator the bottleneck of parallel clients, so a record's
// JSON is kept until the record changes. Directory records are mutable: the key includes what a change
// bumps (version, division, state) as well as the manager's version.
const userJson = new WeakMap<object, { stamp: string; json: string }>();

export function renderUserJson(state: EmulatorState, view: Readonly<EmuUser>): string {
  const managerVersion = view.managerId ? state.users.get(view.managerId)?.version : undefined;
  const stamp = `${view.version}|${view.divisionId}|${view.state}|${managerVersion ?? ""}`;
  const hit = userJson.get(view);
  if (hit && hit.stamp === stamp) return hit.json;
  const json = JSON.stringify(renderUser(state, view));
  userJson.set(view, { stamp, json });
  return json;
}
