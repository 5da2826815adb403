import type { Store } from "@tessera/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  changePassword,
  epochOf,
  expectRefreshOrRevoked,
  loginAs,
  refreshOn,
  registerAndLogin,
  rotationsAfterRevocation,
  type SignedIn,
} from "../test-support/credential-race.js";
import { callInstance } from "../test-support/instance-call.js";
import { startTestServer, type TestServer } from "../test-support/test-server.js";

// Regression (issue 14, point 2): the rotation's compare-and-set checked only `used_at IS NULL`, so
// a refresh that lost the race to a logout, logout-all or password change still answered 200 and
// inserted a successor into the revoked family, its access token carrying the NEW epoch.

const PAIRS = 30;
const IP = "203.0.113.41";

/** A store whose next rotation, once armed, waits at the store's door until released. */
function gatedRotations() {
  let armed: { reached: () => void; released: Promise<void> } | null = null;
  const wrap = (real: Store): Store => {
    const gated: Store = Object.create(real) as Store;
    gated.rotateRefreshToken = async (input) => {
      const gate = armed;
      armed = null;
      if (gate) {
        gate.reached();
        await gate.released;
      }
      return real.rotateRefreshToken(input);
    };
    return gated;
  };
  /** Arms the gate: resolves `reached` when a rotation arrives; `release()` lets it through. */
  const hold = () => {
    let release = () => {};
    let reached = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const arrived = new Promise<void>((resolve) => {
      reached = resolve;
    });
    armed = { reached, released };
    return { arrived, release };
  };
  return { wrap, hold };
}

describe("a refresh whose rotation reaches the store after a revocation committed (SQLite)", () => {
  const gate = gatedRotations();
  let server: TestServer;
  let urls: string[];
  beforeAll(async () => {
    server = await startTestServer({}, { wrapStore: gate.wrap });
    urls = [server.url];
  });
  afterAll(async () => {
    await server?.close();
  });

  const revocations = {
    logout: (_caller: SignedIn, racer: SignedIn) =>
      callInstance(server.url, "POST", "/auth/logout", {
        refresh: racer.refresh,
        headers: { "x-csrf-token": racer.csrf },
      }),
    "logout-all": (caller: SignedIn) =>
      callInstance(server.url, "POST", "/auth/logout-all", { bearer: caller.access }),
    "password change": (caller: SignedIn) => changePassword(server.url, caller.access, IP),
    "session revoke": (caller: SignedIn, racer: SignedIn) =>
      callInstance(server.url, "DELETE", `/auth/sessions/${sessionIdOf(racer)}`, { bearer: caller.access }),
  };

  for (const [kind, revoke] of Object.entries(revocations)) {
    it(`${kind}: answers session_revoked and mints nothing`, async () => {
      const caller = await registerAndLogin(urls, IP);
      const racer = await loginAs(urls, caller.email, IP);
      const held = gate.hold();
      const refresh = refreshOn(urls, 0, racer.refresh, racer.csrf, IP);
      // The refresh has read the token and passed every check; its rotation waits at the store.
      await held.arrived;
      expect((await revoke(caller, racer)).status).toBe(204);
      held.release();

      const answer = await refresh;
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe("session_revoked");
      const audit = await server.store.listAudit({ userId: caller.userId, type: "refresh.rotated" });
      expect(audit).toEqual([]);
    });
  }
});

describe("refreshes racing revocations over HTTP (SQLite)", () => {
  let server: TestServer;
  let urls: string[];
  beforeAll(async () => {
    server = await startTestServer();
    urls = [server.url];
  });
  afterAll(async () => {
    await server?.close();
  });

  it("(refresh, logout) pairs: no rotation commits after its family's revocation", async () => {
    const first = await registerAndLogin(urls, IP);
    const sessions: SignedIn[] = [first];
    for (let i = 1; i < PAIRS; i++) sessions.push(await loginAs(urls, first.email, IP));

    const answers = await Promise.all(
      sessions.flatMap((s, i) => [
        refreshOn(urls, i, s.refresh, s.csrf, IP),
        staggered(i, () =>
          callInstance(server.url, "POST", "/auth/logout", {
            refresh: s.refresh,
            headers: { "x-csrf-token": s.csrf },
          }),
        ),
      ]),
    );
    const refreshes = answers.filter((_, i) => i % 2 === 0);
    expect(answers.filter((_, i) => i % 2 === 1).map((a) => a.status)).toEqual(Array(PAIRS).fill(204));
    expectRefreshOrRevoked(refreshes);
    const audit = await server.store.listAudit({ userId: first.userId, limit: 10_000 });
    expect(rotationsAfterRevocation(audit)).toEqual([]);
    expect(await server.store.listActiveSessions(first.userId, Date.now())).toEqual([]);
  });

  for (const kind of ["logout-all", "password change"] as const) {
    it(`(refresh, ${kind}) pairs: every 200 carries the epoch from before the revocation`, async () => {
      const users: Array<{ caller: SignedIn; racer: SignedIn }> = [];
      for (let i = 0; i < PAIRS; i++) {
        const caller = await registerAndLogin(urls, IP);
        users.push({ caller, racer: await loginAs(urls, caller.email, IP) });
      }
      const revoke = (caller: SignedIn) =>
        kind === "logout-all"
          ? callInstance(server.url, "POST", "/auth/logout-all", { bearer: caller.access })
          : changePassword(server.url, caller.access, IP);

      const answers = await Promise.all(
        users.flatMap(({ caller, racer }, i) => [
          staggered(i, () => refreshOn(urls, i, racer.refresh, racer.csrf, IP)),
          revoke(caller),
        ]),
      );
      expect(answers.filter((_, i) => i % 2 === 1).map((a) => a.status)).toEqual(Array(PAIRS).fill(204));
      const winners = expectRefreshOrRevoked(answers.filter((_, i) => i % 2 === 0));
      // Registration starts at epoch 0 and the revocation bumps it to 1: a 200 minted after the
      // revocation committed would carry 1 and pass an epoch-only check.
      expect(winners.map((w) => epochOf(w.body.access_token))).toEqual(winners.map(() => 0));
      for (const { caller, racer } of users) {
        const audit = await server.store.listAudit({ userId: caller.userId, limit: 1000 });
        expect(rotationsAfterRevocation(audit)).toEqual([]);
        expect((await server.store.getSession(sessionIdOf(racer)))?.revokedAt).not.toBeNull();
      }
    });
  }
});

/**
 * Runs `call` after `i % 8` event-loop turns, so that over the pairs the two requests meet at every
 * offset, among them the one where the revocation commits between the refresh's read and its write.
 */
async function staggered<T>(i: number, call: () => Promise<T>): Promise<T> {
  for (let turn = 0; turn < i % 8; turn++) await new Promise((resolve) => setImmediate(resolve));
  return call();
}

function sessionIdOf(user: SignedIn): string {
  const payload = user.access.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).sid as string;
}
