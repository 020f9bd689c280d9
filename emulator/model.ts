// The emulated organization's data model. Everything the emulator serves is derived from an `EmuOrg`;
// `seedOrg(seed)` (seed.ts) builds the demo org deterministically.

export type UserState = "active" | "inactive" | "deleted";

export interface EmuDivision {
  id: string;
  name: string;
  description: string;
  homeDivision: boolean;
}

export interface EmuUser {
  id: string;
  name: string;
  email: string;
  username: string;
  title?: string;
  department?: string;
  state: UserState;
  divisionId: string;
  managerId?: string;
  version: number;
  /** Only staff who can sign in at the emulator's login page have one. */
  password?: string;
  /** Role grants held by this user (role in a division). */
  grants: EmuGrant[];
}

export interface EmuRole {
  id: string;
  name: string;
  description: string;
  permissions: string[];
}

/** A role held in one division. `divisionId: "*"` means every division, as Genesys shows "all divisions". */
export interface EmuGrant {
  roleId: string;
  divisionId: string;
}

export interface EmuOAuthClient {
  id: string;
  name: string;
  description: string;
  secret: string;
  authorizedGrantType: "CLIENT-CREDENTIALS" | "CODE";
  /** Exact URIs, or patterns with `*` for the port (e.g. `http://localhost:*​/api/auth/callback/genesys`). */
  registeredRedirectUri: string[];
  /** Only meaningful for client-credentials clients (as in Genesys). */
  roleDivisions: EmuGrant[];
  accessTokenValiditySeconds: number;
  state: "active" | "disabled" | "inactive";
  dateCreated: string;
}

export interface EmuOrg {
  id: string;
  name: string;
  domain: string;
  divisions: EmuDivision[];
  roles: EmuRole[];
  users: EmuUser[];
  clients: EmuOAuthClient[];
}
