import "server-only";

export * from "./audited-route";
export * from "./encoded-body";
export * from "./responses";
export * from "./route";
export * from "./security-headers";
export * from "./division-shell";
