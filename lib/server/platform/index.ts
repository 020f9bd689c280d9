import "server-only";

export * from "./admission";
export * from "./csv";
export * from "./env";
export * from "./errors";
export * from "./logger";
export * from "./metrics";
export * from "./process-singleton";
export * from "./query-params";
export * from "./regions";
export * from "./request-context";
export * from "./startup";
