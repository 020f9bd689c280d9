// Shapes of the BFF's JSON responses, shared by the route code that builds them and the browser code that
// reads them (types only).

export interface UserDto {
  id: string;
  name: string;
  email: string;
  username: string;
  title: string;
  department: string;
  state: "active" | "inactive";
  divisionId: string;
  divisionName: string;
}

export interface DivisionSummary {
  id: string;
  name: string;
  description: string;
  userCount: number | null;
  reachable: boolean;
}

export interface FetchProgress {
  phase: "starting" | "searching" | "reconciling" | "done";
  pagesDone: number;
  pagesTotal: number;
  rows: number;
  expected: number | null;
}

export interface IsolationSummary {
  checked: number;
  verified: number;
  droppedCount: number;
  addedFromDirectory: number;
  objectCount: number | null;
  countMatches: boolean;
  mode: string;
  /** Admins only. */
  dropped?: { id: string; reason: string; searchDivisionId?: string; directoryDivisionId?: string }[];
}

export interface DivisionUsersPayload {
  division: { id: string; name: string; userCount: number | null };
  users: UserDto[];
  meta: {
    fetchedAt: string;
    durationMs: number;
    searchPages: number;
    upstreamCalls: number;
    consistent: boolean;
    consistencyNotes?: string[];
    isolation: IsolationSummary;
  };
  cache: {
    freshness: "fresh" | "stale" | "loaded";
    ageSeconds: number;
    revalidating: boolean;
    stale: boolean;
    refreshError?: { code: string; message: string; correlationId?: string };
  };
}

export interface CheckFailure {
  code: string;
  message: string;
  genesysCode?: string;
  correlationId?: string;
  upstreamStatus?: number;
  fix: string[];
}

export interface Check<T> {
  ok: boolean;
  value?: T;
  failure?: CheckFailure;
}

export interface DivisionRow {
  id: string;
  name: string;
  userCount: number | null;
  /** The BFF client holds directory:user:view here (Genesys' divisionspermitted answer). */
  hasDirectoryUserView: boolean;
  /** Names of the client's roles granted in this division. */
  roles: string[];
  fix?: string[];
  /** For a division without the permission: the correlation id of Genesys' answer that showed it. */
  correlationId?: string;
}

export interface Diagnostics {
  ranAt: string;
  config: { region: string; loginHost: string; apiHost: string; gateway: boolean; clientIdPresent: boolean; clientIdHint: string; isolationMode: string };
  token: Check<{ obtained: true }>;
  tokenInfo: Check<{ organization: string; clientName: string; grantType: string }>;
  grants: Check<{ roleId: string; roleName: string; divisionId: string; divisionName: string; permissions: string[] }[]>;
  divisions: Check<DivisionRow[]>;
}

export interface DivisionTest {
  ok: boolean;
  divisionId: string;
  divisionName?: string;
  users?: number;
  searchPages?: number;
  upstreamCalls?: number;
  durationMs?: number;
  isolation?: { verified: number; dropped: number; objectCount: number | null; countMatches: boolean };
  failure?: CheckFailure;
}


export interface AuditEventDto {
  id: number;
  /** ISO 8601, UTC. */
  at: string;
  action: string;
  outcome: "ok" | "denied" | "error";
  code?: string;
  actor: { id: string; email: string; name?: string; role: string } | null;
  divisionId?: string;
  divisionName?: string;
  rows?: number;
  isolation?: { checked: number; verified: number; dropped: number; countMatches: boolean; consistent: boolean };
  requestId?: string;
}

/** The audit trail's filters as given in the URL (the /audit form refills itself from them). */
export interface AuditFilterValues {
  person: string;
  division: string;
  action: string;
  outcome: string;
  from: string;
  to: string;
}

export interface AuditPageDto {
  events: AuditEventDto[];
  /** `before` for the next, older page; null on the last. */
  nextBefore: number | null;
}

export interface AuditIntegrity {
  ok: boolean;
  checked: number;
  brokenAt?: number;
}
