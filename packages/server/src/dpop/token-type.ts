/**
 * The `token_type` of an answer carrying `accessToken`, one this server has just signed: `DPoP`
 * when it carries a `cnf` confirmation (RFC 9449 §5), else `Bearer`. Reads the payload without
 * verifying it — only ever called on our own fresh tokens.
 *
 * @example
 * reply.send({ access_token, token_type: tokenTypeOf(access_token) });
 */
export function tokenTypeOf(accessToken: string): "DPoP" | "Bearer" {
  const payload = accessToken.split(".")[1] ?? "";
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { cnf?: unknown };
    return claims.cnf === undefined ? "Bearer" : "DPoP";
  } catch {
    return "Bearer";
  }
}
