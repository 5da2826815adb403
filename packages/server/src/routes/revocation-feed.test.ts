import { makeUser } from "@tessera/core/testing";
import {
  createVerifier,
  type HttpRevocationSource,
  httpRevocationSource,
  VerifyError,
} from "@tessera/verify";
import { afterEach, describe, expect, it } from "vitest";
import {
  RESOURCE_BASIC,
  RESOURCE_ID,
  RESOURCE_SECRET,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

// More than two pages of the feed (5,000 events each).
const FILLER_EVENTS = 10_500;

let server: TestServer | undefined;
let source: HttpRevocationSource | undefined;
afterEach(async () => {
  source?.close();
  source = undefined;
  await server?.close();
  server = undefined;
});

/** Writes `count` user-revocation events of a throwaway user straight into the store. */
async function fillFeed(s: TestServer, count: number): Promise<void> {
  const filler = makeUser();
  await s.store.createUser(filler);
  for (let i = 0; i < count; i++) {
    await s.store.revokeUserSessions({ userId: filler.id, now: Date.now(), reason: "filler" });
  }
}

async function signIn(s: TestServer): Promise<{ access: string; refresh: string }> {
  const email = uniqueEmail();
  await s.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
  const login = await s.call("POST", "/auth/login", {
    json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
  });
  return { access: login.body.access_token, refresh: login.body.refresh_token };
}

async function revoke(s: TestServer, refresh: string): Promise<void> {
  const res = await s.call("POST", "/oauth/revoke", { form: { token: refresh } });
  expect(res.status).toBe(200);
}

async function verdict(verifier: ReturnType<typeof createVerifier>, token: string): Promise<string> {
  try {
    await verifier.verify(token);
    return "valid";
  } catch (error) {
    if (error instanceof VerifyError) return error.code;
    throw error;
  }
}

function verifierOf(s: TestServer) {
  source = httpRevocationSource({
    url: `${s.url}/oauth/revocations`,
    clientId: RESOURCE_ID,
    clientSecret: RESOURCE_SECRET,
    intervalMs: 600_000, // polls only when the test says so
  });
  return createVerifier({
    issuer: s.config.issuer,
    audience: "tessera",
    jwksUri: `${s.url}/.well-known/jwks.json`,
    revocation: source,
  });
}

describe("revocation feed beyond one page", () => {
  // Regression (issue 14.5): a verifier read one 5,000-event page per poll and was `ready` after
  // the first, so it accepted the newest revoked tokens for tens of seconds.
  it("a verifier that starts behind > 2 pages of events refuses the newest revoked token once ready", async () => {
    server = await startTestServer();
    const victim = await signIn(server);
    await fillFeed(server, FILLER_EVENTS);
    await revoke(server, victim.refresh);

    const verifier = verifierOf(server);
    await source?.ready;
    expect(await verdict(verifier, victim.access)).toBe("token_revoked");
  });

  it("a burst of > 2 pages during polling is fully applied within one poll", async () => {
    server = await startTestServer();
    const verifier = verifierOf(server);
    const early = await signIn(server);
    await source?.ready;
    const victim = await signIn(server);
    expect(await verdict(verifier, victim.access)).toBe("valid");

    await revoke(server, early.refresh);
    await fillFeed(server, FILLER_EVENTS);
    await revoke(server, victim.refresh);
    await source?.refresh();
    expect(await verdict(verifier, early.access)).toBe("token_revoked");
    expect(await verdict(verifier, victim.access)).toBe("token_revoked");
  });

  it("pages carry `more`; without `since` the answer is a compacted snapshot at the current cursor", async () => {
    server = await startTestServer();
    await fillFeed(server, FILLER_EVENTS);

    const feed = (since?: string) =>
      server?.call("GET", `/oauth/revocations${since === undefined ? "" : `?since=${since}`}`, {
        headers: { authorization: RESOURCE_BASIC },
      });
    const snapshot = await feed();
    expect(snapshot?.body.more).toBe(false);
    expect(snapshot?.body.users).toHaveLength(1); // the filler user, at its latest epoch
    expect(snapshot?.body.users[0].epoch).toBe(FILLER_EVENTS);
    expect((await feed("0"))?.body).toEqual(snapshot?.body);

    const pages: Array<{ more: boolean; users: unknown[] }> = [];
    let cursor = "1";
    for (;;) {
      const page = (await feed(cursor))?.body;
      pages.push(page);
      cursor = page.cursor;
      if (!page.more) break;
    }
    expect(pages.map((p) => p.more)).toEqual([true, true, false]);
    expect(cursor).toBe(snapshot?.body.cursor);
  });
});
