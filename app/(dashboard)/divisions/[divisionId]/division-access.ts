import "server-only";

import { cache } from "react";

import { requirePageStaff } from "@/lib/server/auth";
import { isAccessRefusal, requireDivisionAccess, type AuthorizedDivision } from "@/lib/server/divisions";
import { isAppError, type AppError } from "@/lib/server/platform";

export type DivisionPageAccess = { division: AuthorizedDivision } | { refused: AppError };

/**
 * The access decision for the division in this request's URL, made once however many parts of the page
 * ask (the layout decides the status, the page renders, the 403 panel explains).
 */
export const divisionPageAccess = cache(async (divisionId: string): Promise<DivisionPageAccess> => {
  const staff = await requirePageStaff();
  try {
    return { division: await requireDivisionAccess(staff, divisionId) };
  } catch (e) {
    if (isAppError(e) && isAccessRefusal(e.code)) return { refused: e };
    throw e;
  }
});
