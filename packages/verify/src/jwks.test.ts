import { afterEach, describe, expect, it } from "vitest";
import { createVerifier, type JwksEvent, VerifyError, type VerifyErrorCode } from "./index.js";
import { type LocalServer, startLocalServer } from "./test-support/http-server.js";
import { createTestIssuer } from "./testing/index.js";

async function code(promise: Promise<unknown>): Promise<VerifyErrorCode | "resolved"> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    if (error instanceof VerifyError) return error.code;
    throw error;
  }
}

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A JWKS endpoint whose answer the test controls. */
async function jwksServer(initial: unknown) {
  const state = { body: initial as unknown, status: 200, delayMs: 0 };
  server = await startLocalServer(async (req, res) => {
    if (req.url !== "/.well-known/jwks.json") {
      res.statusCode = 404;
      res.end();
      return;
    }
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    res.statusCode = state.status;
    res.setHeader("content-type", "application/json");
    res.end(typeof state.body === "string" ? state.body : JSON.stringify(state.body));
  });
  return state;
}

describe("JWKS cache over real HTTP", () => {
  it("fetches once, then verifies from cache; the issuer's URL is the default location", async () => {
    const a = await createTestIssuer({ kid: "a" });
    await jwksServer(a.jwks);
    const url = server?.url as string;
    const verifier = createVerifier({ issuer: url, audience: a.audience });
    for (let i = 0; i < 5; i++) await verifier.verify(await a.token({ iss: url }));
    expect(server?.requests).toHaveLength(1);
  });

  it("an unknown kid refetches at most once per cool-down, and rotation is picked up", async () => {
    let now = Date.now();
    const clock = { now: () => now };
    const a = await createTestIssuer({ kid: "a", now: clock.now });
    const b = await createTestIssuer({ kid: "b", now: clock.now });
    const state = await jwksServer(a.jwks);
    const url = server?.url as string;
    const verifier = createVerifier({
      issuer: a.issuer,
      audience: a.audience,
      jwksUri: `${url}/.well-known/jwks.json`,
      clock,
    });
    await verifier.verify(await a.token());
    expect(server?.requests).toHaveLength(1);

    // Within the cool-down after a fetch, an unknown kid causes no request at all.
    expect(await code(verifier.verify(await b.token()))).toBe("key_not_found");
    expect(server?.requests).toHaveLength(1);
    now += 30_000;
    // b is not published yet: one refetch, then none during the next cool-down.
    expect(await code(verifier.verify(await b.token()))).toBe("key_not_found");
    expect(server?.requests).toHaveLength(2);
    const unknown = await Promise.all(
      Array.from({ length: 20 }, async () => code(verifier.verify(await b.token()))),
    );
    expect(new Set(unknown)).toEqual(new Set(["key_not_found"]));
    expect(server?.requests).toHaveLength(2);

    // The issuer rotates; after the cool-down one unknown kid brings the new set.
    state.body = { keys: [a.jwk, b.jwk] };
    now += 30_000;
    expect(await code(verifier.verify(await b.token()))).toBe("resolved");
    expect(server?.requests).toHaveLength(3);
    expect(await code(verifier.verify(await a.token()))).toBe("resolved");
    expect(server?.requests).toHaveLength(3);
  });

  it("concurrent requests for an unknown kid share one fetch", async () => {
    const a = await createTestIssuer({ kid: "a" });
    const state = await jwksServer(a.jwks);
    state.delayMs = 50;
    const verifier = createVerifier({
      issuer: a.issuer,
      audience: a.audience,
      jwksUri: `${server?.url}/.well-known/jwks.json`,
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, async () => code(verifier.verify(await a.token()))),
    );
    expect(results.every((r) => r === "resolved")).toBe(true);
    expect(server?.requests).toHaveLength(1);
  });

  it("an outage never breaks cached keys and never lets an unknown key in", async () => {
    let now = Date.now();
    const clock = { now: () => now };
    const a = await createTestIssuer({ kid: "a", now: clock.now });
    const attacker = await createTestIssuer({ kid: "evil", now: clock.now });
    const state = await jwksServer(a.jwks);
    const events: JwksEvent[] = [];
    const verifier = createVerifier({
      issuer: a.issuer,
      audience: a.audience,
      jwksUri: `${server?.url}/.well-known/jwks.json`,
      clock,
      jwksMaxAgeMs: 60_000,
      onJwksEvent: (e) => events.push(e),
    });
    await verifier.verify(await a.token());
    for (const failure of [
      () => {
        state.status = 503;
      },
      () => {
        state.status = 200;
        state.body = "<html>not json";
      },
      () => {
        state.body = { keys: "nope" };
      },
    ]) {
      failure();
      now += 120_000; // stale: triggers background refreshes, and the cool-down has passed
      expect(await code(verifier.verify(await a.token()))).toBe("resolved");
      expect(await code(verifier.verify(await attacker.token({ iss: a.issuer, aud: a.audience })))).toBe(
        "key_not_found",
      );
    }
    expect(events.filter((e) => e.type === "fetch_failed").length).toBeGreaterThanOrEqual(3);
  });

  it("a JWKS that never answers times out; verification of cached keys is unaffected", async () => {
    let now = Date.now();
    const clock = { now: () => now };
    const a = await createTestIssuer({ kid: "a", now: clock.now });
    const b = await createTestIssuer({ kid: "b", now: clock.now });
    const state = await jwksServer(a.jwks);
    const verifier = createVerifier({
      issuer: a.issuer,
      audience: a.audience,
      jwksUri: `${server?.url}/.well-known/jwks.json`,
      clock,
      jwksTimeoutMs: 100,
    });
    await verifier.verify(await a.token());
    state.delayMs = 2000;
    now += 60_000;
    expect(await code(verifier.verify(await b.token()))).toBe("key_not_found");
    expect(await code(verifier.verify(await a.token()))).toBe("resolved");
  });

  it("ignores keys that are for encryption, private, weak, of unknown type, duplicated, or secrets", async () => {
    const a = await createTestIssuer({ kid: "a" });
    const e = await createTestIssuer({ kid: "enc" });
    const p = await createTestIssuer({ kid: "priv" });
    const d1 = await createTestIssuer({ kid: "dup" });
    const d2 = await createTestIssuer({ kid: "dup" });
    const h = await createTestIssuer({ kid: "hmac", alg: "HS256" });
    const events: JwksEvent[] = [];
    await jwksServer({
      keys: [
        a.jwk,
        { ...e.jwk, use: "enc" },
        { ...p.jwk, d: "AAAA" },
        { kty: "OKP", crv: "X25519", x: "AAAA", kid: "x" },
        { kty: "EC", crv: "secp256k1", kid: "k1" },
        d1.jwk,
        d2.jwk,
        h.jwk,
        "not an object",
      ],
    });
    const verifier = createVerifier({
      issuer: a.issuer,
      audience: a.audience,
      jwksUri: `${server?.url}/.well-known/jwks.json`,
      onJwksEvent: (ev) => events.push(ev),
    });
    expect(await code(verifier.verify(await a.token()))).toBe("resolved");
    for (const other of [e, p, d1, d2])
      expect(await code(verifier.verify(await other.token()))).toBe("key_not_found");
    expect(await code(verifier.verify(await h.token()))).toBe("alg_not_allowed");
    const loaded = events.find((ev) => ev.type === "loaded");
    expect(loaded?.type === "loaded" && loaded.keys).toBe(1);
  });
});
