import "server-only";

export * from "./access-gate";
export * from "./cache";
export * from "./csv-response";
export * from "./directory";
export * from "./dto";
export * from "./export";
export * from "./fetch";
export * from "./service";
export * from "./shared-cache";
export * from "./users-response";
