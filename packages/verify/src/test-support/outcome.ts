import { isVerifyError } from "../errors.js";

/**
 * What a verification ended in: `"ok"`, the `VerifyError` code, or `code:claim` when the error
 * names a claim or check. Anything that is not a `VerifyError` is rethrown.
 *
 * @example
 * expect(await outcome(verifier.verify(token))).toBe("token_expired");
 */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (!isVerifyError(error)) throw error;
    return error.claim === undefined ? error.code : `${error.code}:${error.claim}`;
  }
}
