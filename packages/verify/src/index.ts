export { type Algorithm, DEFAULT_ALGORITHMS } from "./algorithms.js";
export { isVerifyError, VERIFY_ERROR_CODES, VerifyError, type VerifyErrorCode } from "./errors.js";
export { type AuthFailure, authFailure, bearerToken, hasScopes, insufficientScope } from "./http-auth.js";
export type { JwksEvent } from "./jwks.js";
export type { RejectedKey } from "./key-set.js";
export { errorResponse, requireScopes, verifyRequest } from "./request.js";
export {
  type HttpRevocationOptions,
  type HttpRevocationSource,
  httpRevocationSource,
} from "./revocation-http.js";
export type {
  AccessClaims,
  JsonWebKeyInput,
  RevocationSource,
  Verifier,
  VerifierClock,
  VerifierOptions,
} from "./types.js";
export { createVerifier } from "./verifier.js";
