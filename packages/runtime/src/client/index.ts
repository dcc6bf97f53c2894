export type { CallOptions, Connection } from "./connection.js";
