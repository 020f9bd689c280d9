import "server-only";

export * from "./bff-client";
export * from "./circuit-breaker";
export * from "./client";
export * from "./error-advice";
export * from "./error-mapping";
export * from "./partition-planner";
export * from "./permissions";
export * from "./request-limiter";
export * from "./retry-policy";
export * from "./schemas";
export * from "./sdk";
export * from "./search-assumptions";
export * from "./shared-budget";
export * from "./shared-token";
export * from "./staff-client";
export * from "./upstream-error";
