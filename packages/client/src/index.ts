export type { FetchLike } from "./auth-api.js";
export { createClient } from "./client.js";
export type { AuthState, ClientOptions, TesseraClient } from "./client-types.js";
export { type ClientOnlyErrorCode, TesseraClientError, type TesseraClientErrorCode } from "./errors.js";
export type { User } from "./session.js";
