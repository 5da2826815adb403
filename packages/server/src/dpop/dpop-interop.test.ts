import { describe, expect, it } from "vitest";
import { makeProof, type ProofKey, proofKey } from "../../../core/src/test-support/dpop-proofs.js";
import { REFRESH_COOKIE } from "../http/refresh-cookie.js";
import { useDpopServer } from "../test-support/dpop-server.js";
import { APP_ORIGIN } from "../test-support/test-server.js";
import { payloadOf } from "../test-support/token-payload.js";

// Issue 14, points 6, 7 and 9: DPoP with third-party clients and against token thieves, over real
// HTTP; proofs made by plain `jose`.

const dpop = useDpopServer("ES256");
const { me, login, refresh: refreshAt } = dpop;
const proofFor = (k: ProofKey, path: string, extra: { accessToken?: string } = {}) =>
  makeProof(k, { htm: path === "/auth/me" ? "GET" : "POST", htu: dpop.url(path), ...extra });

describe("Ed25519 proofs under both names (issue 14.7)", () => {
  // oauth4webapi labels Ed25519 proofs `Ed25519` (RFC 9864); they were refused with 400.
  it.each(["Ed25519", "EdDSA"] as const)("a session runs on proofs labelled %s", async (alg) => {
    const ed = await proofKey(alg);
    const res = await login(ed);
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe("DPoP");
    const access = res.body.access_token as string;
    expect(payloadOf(access).cnf).toEqual({ jkt: ed.jkt });
    expect((await me(access, await proofFor(ed, "/auth/me", { accessToken: access }))).status).toBe(200);
    const rotated = await refreshAt(res.body.refresh_token, await proofFor(ed, "/oauth/token"));
    expect(rotated.status).toBe(200);
    expect(payloadOf(rotated.body.access_token).cnf).toEqual({ jkt: ed.jkt });
  });

  it("publishes both names in dpop_signing_alg_values_supported", async () => {
    const meta = await dpop.server.call("GET", "/.well-known/oauth-authorization-server");
    expect(meta.body.dpop_signing_alg_values_supported).toEqual([
      "ES256",
      "EdDSA",
      "Ed25519",
      "RS256",
      "PS256",
    ]);
  });
});

describe("a refresh with a proof binds a family that logged in without one (issue 14.6)", () => {
  // RFC 9449 §5: refresh tokens of public clients MUST be bound; they stayed Bearer before.
  it("binds the new refresh and access tokens to the proof's key from that refresh on", async () => {
    const plain = await login();
    expect(plain.body.token_type).toBe("Bearer");
    const rotated = await refreshAt(plain.body.refresh_token, await proofFor(dpop.key, "/oauth/token"));
    expect(rotated.status).toBe(200);
    expect(rotated.body.token_type).toBe("DPoP");
    const access = rotated.body.access_token as string;
    expect(payloadOf(access).cnf).toEqual({ jkt: dpop.key.jkt });
    expect((await me(access, await proofFor(dpop.key, "/auth/me", { accessToken: access }))).status).toBe(
      200,
    );

    const next = rotated.body.refresh_token as string;
    expect((await refreshAt(next)).body.error).toBe("invalid_grant");
    expect((await refreshAt(next, await proofFor(dpop.thief, "/oauth/token"))).body.error).toBe(
      "invalid_grant",
    );
    const again = await refreshAt(next, await proofFor(dpop.key, "/oauth/token"));
    expect(again.status).toBe(200);
    expect(payloadOf(again.body.access_token).cnf).toEqual({ jkt: dpop.key.jkt });
  });

  it("a thief binding a stolen bearer refresh token is caught when the holder presents it again", async () => {
    const plain = await login();
    const stolen = plain.body.refresh_token as string;
    const thiefs = await refreshAt(stolen, await proofFor(dpop.thief, "/oauth/token"));
    expect(thiefs.body.token_type).toBe("DPoP");
    // The real holder's retry comes from no key: reuse, the family (and the thief's tokens) dies.
    const holder = await refreshAt(stolen);
    expect(holder.body.error).toBe("invalid_grant");
    const sid = payloadOf(thiefs.body.access_token).sid;
    expect((await dpop.server.store.getSession(sid as string))?.revokedReason).toBe("reuse_detected");
    const after = await refreshAt(thiefs.body.refresh_token, await proofFor(dpop.thief, "/oauth/token"));
    expect(after.body.error).toBe("invalid_grant");
  });
});

describe("a DPoP-bound refresh token without its key (issue 14.9)", () => {
  // A thief holding a bound refresh token (even with the session's CSRF token, which body-delivery
  // answers carry) could read the CSRF token, log the owner out and revoke the session before.
  async function boundSession(): Promise<{ refresh: string; access: string; csrf: string; sid: string }> {
    const res = await login(dpop.key);
    const access = res.body.access_token as string;
    return {
      refresh: res.body.refresh_token,
      access,
      csrf: res.body.csrf_token,
      sid: payloadOf(access).sid as string,
    };
  }
  const cookie = (refresh: string) => ({ cookie: `${REFRESH_COOKIE}=${refresh}`, origin: APP_ORIGIN });
  const alive = async (sid: string) => (await dpop.server.store.getSession(sid))?.revokedAt === null;

  it("cookie endpoints refuse a bound family: no CSRF token, no logout, no refresh", async () => {
    const { refresh, csrf, sid } = await boundSession();
    const read = await dpop.server.call("GET", "/auth/csrf", { headers: cookie(refresh) });
    expect(read.status).toBe(401);
    expect(read.body.error).toBe("refresh_invalid");
    expect(read.text).not.toContain(csrf);

    const logout = await dpop.server.call("POST", "/auth/logout", {
      headers: { ...cookie(refresh), "x-csrf-token": csrf },
    });
    expect(logout.status).toBe(204);
    expect(await alive(sid)).toBe(true);
    const cookieRefresh = await dpop.server.call("POST", "/auth/refresh", {
      headers: { ...cookie(refresh), "x-csrf-token": csrf },
    });
    expect(cookieRefresh.status).toBe(401);
    expect(await alive(sid)).toBe(true);
    // The owner carries on.
    expect((await refreshAt(refresh, await proofFor(dpop.key, "/oauth/token"))).status).toBe(200);
  });

  it("/oauth/revoke of a bound token needs a proof of its key; with one it revokes", async () => {
    const { refresh, access, sid } = await boundSession();
    const revoke = async (token: string, k?: ProofKey) =>
      dpop.server.call("POST", "/oauth/revoke", {
        form: { token },
        headers: k === undefined ? {} : { dpop: await proofFor(k, "/oauth/revoke") },
      });
    for (const [token, k] of [
      [refresh, undefined],
      [refresh, dpop.thief],
      [access, undefined],
      [access, dpop.thief],
    ] as const) {
      const res = await revoke(token, k);
      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 400,
        error: "invalid_dpop_proof",
      });
    }
    expect(await alive(sid)).toBe(true);

    const owner = await revoke(refresh, dpop.key);
    expect(owner.status).toBe(200);
    expect(await alive(sid)).toBe(false);
    expect((await refreshAt(refresh, await proofFor(dpop.key, "/oauth/token"))).body.error).toBe(
      "invalid_grant",
    );

    // The owner's access token revokes too, with a proof; unbound tokens need none, as before.
    const other = await boundSession();
    expect((await revoke(other.access, dpop.key)).status).toBe(200);
    expect(await alive(other.sid)).toBe(false);
    const plain = await login();
    const plainSid = payloadOf(plain.body.access_token).sid as string;
    expect((await revoke(plain.body.refresh_token)).status).toBe(200);
    expect(await alive(plainSid)).toBe(false);
  });
});
