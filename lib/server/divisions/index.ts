import "server-only";

// A division's users reach nobody without an AuthorizedDivision, which only the gates in access-gate.ts
// make: the raw fetch, the cache and the Genesys client stay inside this folder.

export { isAccessRefusal, operatorAccess, requireDivisionAccess, visibleDivisions } from "./access-gate";
export type { AuthorizedDivision } from "./authorized";
export type { CachedResult, Freshness, LoadListeners } from "./cache";
export type { DirectoryDivision } from "./directory";
export { isolationOf, payloadJson, payloadVariant, rowsLine, toDivisionInfo, toDivisionSummary, toPayload, type PayloadParts } from "./dto";
export { divisionCsv, EXPORT_HEADER, readExportView, userCsvRow } from "./export";
export { assertDivisionId, type DivisionUsers, type FetchProgress, type RowsBatch, type UserDto } from "./fetch";
export { fetchDivisionUncached, getDivisionUsers, hasDivisionService, refreshDivisionUsers } from "./service";
