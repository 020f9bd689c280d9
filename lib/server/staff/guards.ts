import "server-only";

import { AppError } from "@/lib/server/platform";

import type { StaffAccess } from "./staff-types";

/** The signed-in staff member, or 401. */
export function requireStaff(staff: StaffAccess | null): StaffAccess {
  if (!staff) throw new AppError("unauthenticated", "Please sign in.");
  return staff;
}

/** A signed-in administrator, or 401/403; `purpose` finishes "Only administrators may …". */
export function requireAdmin(staff: StaffAccess | null, purpose = "use diagnostics"): StaffAccess {
  const who = requireStaff(staff);
  if (!who.isAdmin) throw new AppError("forbidden", `Only administrators may ${purpose}.`);
  return who;
}
