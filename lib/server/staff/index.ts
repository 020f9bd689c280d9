import "server-only";

export * from "./guards";
export * from "./staff-access";
export * from "./staff-share";
export * from "./staff-types";
