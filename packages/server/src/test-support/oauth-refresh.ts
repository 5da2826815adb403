import type { CallResult, TestServer } from "./test-server.js";

/**
 * `POST /oauth/token` with `grant_type=refresh_token`, and a `DPoP` proof when given.
 *
 * @example
 * const res = await oauthRefresh(server, refreshToken, await makeProof(key, { htm: "POST", htu }));
 */
export function oauthRefresh(server: TestServer, refreshToken: string, dpop?: string): Promise<CallResult> {
  return server.call("POST", "/oauth/token", {
    form: { grant_type: "refresh_token", refresh_token: refreshToken },
    headers: dpop === undefined ? {} : { dpop },
  });
}
