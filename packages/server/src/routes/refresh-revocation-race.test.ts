import type { Store } from "@tessera/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  changePassword,
  loginAs,
  raceRefreshesAgainst,
  refreshOn,
  registerAndLogin,
  type SignedIn,
} from "../test-support/credential-race.js";
import { callInstance } from "../test-support/instance-call.js";
import { startTestServer, type TestServer } from "../test-support/test-server.js";

// Regression (issue 14, point 2): the rotation's compare-and-set checked only `used_at IS NULL`, so
// a refresh that lost the race to a logout, logout-all or password change still answered 200 and
// inserted a successor into the revoked family, its access token carrying the NEW epoch.

const PAIRS = 12;
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

describe("clients refreshing without pause while their session is revoked, over HTTP (SQLite)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const kind of ["logout", "logout-all", "password change"] as const) {
    it(`${kind}: no 200 after the revocation committed, none with the new epoch`, async () => {
      const auditOf = async (userIds: readonly string[]) =>
        (
          await Promise.all(userIds.map((userId) => server.store.listAudit({ userId, limit: 10_000 })))
        ).flat();
      await raceRefreshesAgainst([server.url], kind, IP, PAIRS, auditOf);
    });
  }
});

function sessionIdOf(user: SignedIn): string {
  const payload = user.access.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).sid as string;
}
