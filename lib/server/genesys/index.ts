import "server-only";

export * from "./client";
export * from "./error-advice";
export * from "./error-mapping";
export * from "./partition-planner";
export * from "./request-limiter";
export * from "./retry-policy";
export * from "./schemas";
export * from "./sdk";
export * from "./search-assumptions";
export * from "./shared-budget";
export * from "./shared-token";
export * from "./upstream-error";
