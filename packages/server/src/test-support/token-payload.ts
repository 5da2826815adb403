/**
 * The payload of a JWT the server just signed, decoded without verification (tests only).
 *
 * @example
 * expect(payloadOf(res.body.access_token).cnf).toEqual({ jkt });
 */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary claims
export function payloadOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}
