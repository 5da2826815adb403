import { afterEach, describe, expect, it } from "vitest";
import { createVerifier, VerifyError, type VerifyErrorCode } from "./index.js";
import { httpRevocationSource } from "./revocation-http.js";
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

const T0 = Date.parse("2026-03-01T12:00:00Z");
const S0 = T0 / 1000;
const AUTH = `Basic ${Buffer.from("orders-api:s3cret").toString("base64")}`;

interface Event {
  users?: Array<{ sub: string; not_before: number; epoch: number }>;
  sessions?: Array<{ sid: string; revoked_at: number }>;
}

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A feed like the auth server's: cursor = number of events, ETag = cursor, 304 when nothing is new. */
async function feedServer() {
  const events: Event[] = [];
  const state = { fail: false };
  server = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/oauth/revocations") {
      res.statusCode = 404;
      res.end();
      return;
    }
    if (req.headers.authorization !== AUTH) {
      res.statusCode = 401;
      res.end();
      return;
    }
    if (state.fail) {
      res.statusCode = 500;
      res.end();
      return;
    }
    const cursor = String(events.length);
    if (req.headers["if-none-match"] === `"${cursor}"`) {
      res.statusCode = 304;
      res.end();
      return;
    }
    const since = Number(url.searchParams.get("since") ?? 0);
    const fresh = events.slice(since);
    res.setHeader("etag", `"${cursor}"`);
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        cursor,
        users: fresh.flatMap((e) => e.users ?? []),
        sessions: fresh.flatMap((e) => e.sessions ?? []),
      }),
    );
  });
  return { events, state, url: `${server.url}/oauth/revocations` };
}

describe("httpRevocationSource against a real local feed", () => {
  it("revokes by sid and by epoch, polls with since + ETag, and never calls per verify", async () => {
    const feed = await feedServer();
    const clock = { now: () => T0 };
    const revocation = httpRevocationSource({
      url: feed.url,
      clientId: "orders-api",
      clientSecret: "s3cret",
      intervalMs: 60_000,
      clock,
    });
    const issuer = await createTestIssuer({ now: clock.now });
    const verifier = createVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      keys: issuer.jwks.keys,
      revocation,
      clock,
    });
    try {
      await revocation.ready;
      const alice = await issuer.token({ sub: "alice", sid: "s-a", epoch: 2 });
      const bob = await issuer.token({ sub: "bob", sid: "s-b", epoch: 0 });
      expect(await code(verifier.verify(alice))).toBe("resolved");
      const before = server?.requests.length;
      for (let i = 0; i < 10; i++) await verifier.verify(bob);
      expect(server?.requests.length).toBe(before); // zero network per verify

      feed.events.push({ sessions: [{ sid: "s-b", revoked_at: S0 }] });
      feed.events.push({ users: [{ sub: "alice", not_before: S0, epoch: 3 }] });
      await revocation.refresh();
      expect(await code(verifier.verify(bob))).toBe("token_revoked");
      expect(await code(verifier.verify(alice))).toBe("token_revoked");
      // Same second, issued after the bump (epoch 3): stays valid.
      expect(await code(verifier.verify(await issuer.token({ sub: "alice", sid: "s-a2", epoch: 3 })))).toBe(
        "resolved",
      );
      // A token without epoch falls back to iat < not_before.
      expect(
        await code(
          verifier.verify(await issuer.token({ sub: "alice", sid: "s-x", epoch: undefined, iat: S0 - 1 })),
        ),
      ).toBe("token_revoked");
      expect(
        await code(
          verifier.verify(await issuer.token({ sub: "alice", sid: "s-y", epoch: undefined, iat: S0 })),
        ),
      ).toBe("resolved");

      // An idle poll sends since + If-None-Match and gets 304.
      await revocation.refresh();
      const last = server?.requests.at(-1);
      expect(last?.url).toBe(`/oauth/revocations?since=2`);
      expect(last?.headers["if-none-match"]).toBe('"2"');
      expect(await code(verifier.verify(bob))).toBe("token_revoked");
    } finally {
      verifier.close();
    }
  });

  it("polls on its interval", async () => {
    const feed = await feedServer();
    const revocation = httpRevocationSource({
      url: feed.url,
      clientId: "orders-api",
      clientSecret: "s3cret",
      intervalMs: 100,
    });
    try {
      await revocation.ready;
      await new Promise((r) => setTimeout(r, 350));
      expect(server?.requests.length).toBeGreaterThanOrEqual(3);
    } finally {
      revocation.close();
    }
  });

  it("fails closed until the first poll succeeds; later outages keep the last state", async () => {
    const feed = await feedServer();
    feed.state.fail = true;
    let now = T0;
    const clock = { now: () => now };
    const errors: Error[] = [];
    const revocation = httpRevocationSource({
      url: feed.url,
      clientId: "orders-api",
      clientSecret: "s3cret",
      intervalMs: 60_000,
      maxStalenessMs: 120_000,
      clock,
      onError: (e) => errors.push(e),
    });
    const issuer = await createTestIssuer({ now: clock.now });
    const verifier = createVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      keys: issuer.jwks.keys,
      revocation,
      clock,
    });
    try {
      await expect(revocation.ready).rejects.toThrow();
      expect(await code(verifier.verify(await issuer.token()))).toBe("token_revoked");
      feed.state.fail = false;
      await revocation.refresh();
      expect(await code(verifier.verify(await issuer.token()))).toBe("resolved");
      feed.state.fail = true;
      await expect(revocation.refresh()).rejects.toThrow();
      expect(await code(verifier.verify(await issuer.token()))).toBe("resolved");
      now += 121_000;
      expect(await code(verifier.verify(await issuer.token()))).toBe("token_revoked");
      expect(errors.length).toBe(2);
      expect(errors.every((e) => !e.message.includes("s3cret"))).toBe(true);
    } finally {
      verifier.close();
    }
  });

  it("a wrong credential is an error, not an empty feed", async () => {
    const feed = await feedServer();
    const revocation = httpRevocationSource({
      url: feed.url,
      clientId: "orders-api",
      clientSecret: "wrong",
      intervalMs: 60_000,
    });
    try {
      await expect(revocation.ready).rejects.toThrow();
      const revoked = await revocation.isRevoked({ sub: "u", sid: "s" } as never);
      expect(revoked).toBe(true);
    } finally {
      revocation.close();
    }
  });

  it("refuses a configuration without credentials", () => {
    expect(() =>
      httpRevocationSource({ url: "https://a/oauth/revocations", clientId: "", clientSecret: "x" }),
    ).toThrow(TypeError);
  });
});
