import "server-only";

export * from "./guards";
export * from "./staff-access";
