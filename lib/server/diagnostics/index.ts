import "server-only";

export { accessExplorerCheck } from "./access-permissions";
export * from "./health";
export * from "./run";
