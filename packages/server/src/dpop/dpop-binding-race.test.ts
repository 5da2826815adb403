import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProof, type ProofKey, proofKey } from "../../../core/src/test-support/dpop-proofs.js";
import { loginWithProof } from "../test-support/dpop-server.js";
import { oauthRefresh } from "../test-support/oauth-refresh.js";
import { type CallResult, startTestServer, type TestServer } from "../test-support/test-server.js";
import { payloadOf } from "../test-support/token-payload.js";

// Issue 14.6 under load: concurrent refreshes of one unbound refresh token with DPoP proofs, on
// SQLite (one instance) and on PostgreSQL across two instances. The binding is a compare-and-set
// made by the one rotation that wins, so the family ends up bound once, to the winner's key.

const N = 8;
let keys: ProofKey[];
beforeAll(async () => {
  keys = await Promise.all(Array.from({ length: N }, () => proofKey("ES256")));
});

async function unboundLogin(server: TestServer): Promise<{ refresh: string; sid: string }> {
  const res = await loginWithProof(server);
  expect(res.body.token_type).toBe("Bearer");
  return { refresh: res.body.refresh_token, sid: payloadOf(res.body.access_token).sid };
}

async function race(
  servers: TestServer[],
  refresh: string,
  keyOf: (i: number) => ProofKey,
): Promise<CallResult[]> {
  const htu = `${servers[0]?.config.issuer.replace(/\/+$/, "")}/oauth/token`;
  const proofs = await Promise.all(
    Array.from({ length: N }, (_, i) => makeProof(keyOf(i), { htm: "POST", htu })),
  );
  return Promise.all(
    proofs.map((dpop, i) => oauthRefresh(servers[i % servers.length] as TestServer, refresh, dpop)),
  );
}

/** Grace 0, a different key per racer: one winner, bound to its key; the others are reuse. */
async function expectOneWinnerBound(servers: TestServer[]): Promise<void> {
  const first = servers[0] as TestServer;
  const { refresh, sid } = await unboundLogin(first);
  const answers = await race(servers, refresh, (i) => keys[i] as ProofKey);
  const wins = answers.filter((a) => a.status === 200);
  expect(wins).toHaveLength(1);
  expect(answers.filter((a) => a.status === 400 && a.body.error === "invalid_grant")).toHaveLength(N - 1);
  const winner = wins[0] as CallResult;
  const jkt = payloadOf(winner.body.access_token).cnf?.jkt;
  expect(keys.map((k) => k.jkt)).toContain(jkt);
  expect(await first.store.getSession(sid)).toMatchObject({ dpopJkt: jkt, revokedReason: "reuse_detected" });
  expect(
    await first.store
      .listAudit({ type: "session.dpop_bound" })
      .then((e) => e.filter((x) => x.sessionId === sid)),
  ).toHaveLength(1);
}

/** Default grace, one key (racing calls of one client): every racer gets the one successor. */
async function expectSharedSuccessor(servers: TestServer[]): Promise<void> {
  const first = servers[0] as TestServer;
  const { refresh, sid } = await unboundLogin(first);
  const key = keys[0] as ProofKey;
  const answers = await race(servers, refresh, () => key);
  expect(answers.map((a) => a.status)).toEqual(Array(N).fill(200));
  expect(new Set(answers.map((a) => a.body.refresh_token)).size).toBe(1);
  expect(await first.store.getSession(sid)).toMatchObject({ dpopJkt: key.jkt, revokedAt: null });
  expect(
    await first.store
      .listAudit({ type: "session.dpop_bound" })
      .then((e) => e.filter((x) => x.sessionId === sid)),
  ).toHaveLength(1);
}

describe("binding races on SQLite (one instance)", () => {
  it("grace 0, a key per racer: exactly one 200, bound to that key, the rest reuse", async () => {
    const server = await startTestServer({ TESSERA_REFRESH_GRACE: "0s" });
    try {
      await expectOneWinnerBound([server]);
    } finally {
      await server.close();
    }
  });

  it("one key racing inside the grace window: all answered with one successor, bound once", async () => {
    const server = await startTestServer();
    try {
      await expectSharedSuccessor([server]);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!postgresTestsEnabled())("binding races on PostgreSQL (two instances)", () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  }, 60_000);
  afterAll(() => postgres?.stop());

  async function twoInstances(env: Record<string, string>): Promise<TestServer[]> {
    const url = await postgres.createDatabase();
    return [
      await startTestServer({ TESSERA_DATABASE_URL: url, ...env }),
      await startTestServer({ TESSERA_DATABASE_URL: url, ...env }),
    ];
  }

  it("grace 0, a key per racer: exactly one 200, bound to that key, the rest reuse", async () => {
    const servers = await twoInstances({ TESSERA_REFRESH_GRACE: "0s" });
    try {
      await expectOneWinnerBound(servers);
    } finally {
      for (const s of servers) await s.close();
    }
  });

  it("one key racing inside the grace window: all answered with one successor, bound once", async () => {
    const servers = await twoInstances({});
    try {
      await expectSharedSuccessor(servers);
    } finally {
      for (const s of servers) await s.close();
    }
  });
});
