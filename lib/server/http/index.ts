import "server-only";

export * from "./request-params";
export * from "./route";
export * from "./security-headers";
