import "server-only";

/** A staff member's Genesys sign-in, as the session cookie carries it. */
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
