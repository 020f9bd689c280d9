import "server-only";

import type { DirectoryDivision } from "./directory";

declare const authorized: unique symbol;

/**
 * A division whose caller passed a gate (access-gate.ts): every function of this folder that returns a
 * division's users takes this, never a plain id, so no data path can skip the access check.
 */
export type AuthorizedDivision = DirectoryDivision & { readonly [authorized]: true };

/** For the gates in access-gate.ts only; index.ts does not export it. */
export function brand(division: DirectoryDivision): AuthorizedDivision {
  return division as AuthorizedDivision;
}
