import type { AuditEvent } from "@tessera/core";
import { expect } from "vitest";
import { callInstance, type InstanceAnswer } from "./instance-call.js";
import { STRONG_PASSWORD, uniqueEmail } from "./test-server.js";

// Races against credential changes and revocations over real HTTP, shared by the single-server
// (SQLite) and the two-instance (PostgreSQL) tests. `urls` are the servers to spread requests over
// (round-robin); `ip` is the client address the servers see.

export const NEW_PASSWORD = "a brand new passphrase 42";

/** A signed-in user: the tokens of one login. */
export interface SignedIn {
  email: string;
  userId: string;
  access: string;
  refresh: string;
  csrf: string;
}

export async function registerAndLogin(urls: readonly string[], ip: string): Promise<SignedIn> {
  const email = uniqueEmail("fence");
  const register = await callInstance(at(urls, 0), "POST", "/auth/register", {
    json: { email, password: STRONG_PASSWORD },
    ip,
  });
  expect(register.status).toBe(201);
  return loginAs(urls, email, ip, 1);
}

export async function loginAs(urls: readonly string[], email: string, ip: string, i = 0): Promise<SignedIn> {
  const login = await callInstance(at(urls, i), "POST", "/auth/login", {
    json: { email, password: STRONG_PASSWORD },
    ip,
  });
  expect(login.status, login.body?.error).toBe(200);
  return {
    email,
    userId: login.body.user.id as string,
    access: login.body.access_token as string,
    refresh: login.refresh as string,
    csrf: login.body.csrf_token as string,
  };
}

function at(urls: readonly string[], i: number): string {
  return urls[i % urls.length] as string;
}

/** A refresh of `refresh` (with its CSRF token) on server `i`. */
export function refreshOn(urls: readonly string[], i: number, refresh: string, csrf: string, ip: string) {
  return callInstance(at(urls, i), "POST", "/auth/refresh", {
    refresh,
    headers: { "x-csrf-token": csrf },
    ip,
  });
}

/**
 * Fires `count` logins with the OLD password of `user` and, in the middle of them, `change` (a
 * password change or an account deletion by the user's own access token). Then asserts the fence:
 * the change succeeded, every login answered 200 or 401 `invalid_credentials` (never a 500), and
 * no session of a successful login survives — its refresh token is refused. Returns the answers.
 */
export async function raceLoginsAgainst(
  urls: readonly string[],
  user: SignedIn,
  ip: string,
  count: number,
  change: (url: string) => Promise<InstanceAnswer>,
  /** What the change answers, and the refusals a racing login may get (by status). */
  outcome: { changeStatus: number; refusals: Record<number, string> } = {
    changeStatus: 204,
    refusals: { 401: "invalid_credentials" },
  },
): Promise<{ logins: InstanceAnswer[]; change: InstanceAnswer }> {
  const login = (i: number) =>
    callInstance(at(urls, i), "POST", "/auth/login", {
      json: { email: user.email, password: STRONG_PASSWORD },
      ip,
    });
  const half = Math.floor(count / 2);
  // All are sent at once: the change's hashing queues among the logins' verifications, so some
  // logins check the old hash before the change commits and insert their session after it.
  const [early, changed, late] = await Promise.all([
    Promise.all(Array.from({ length: half }, (_, i) => login(i))),
    change(at(urls, 1)),
    Promise.all(Array.from({ length: count - half }, (_, i) => login(half + i))),
  ]);
  const logins = [...early, ...late];
  expect(changed.status).toBe(outcome.changeStatus);
  for (const answer of logins) {
    if (answer.status === 200) continue;
    expect(answer.body.error, JSON.stringify(answer.body)).toBe(outcome.refusals[answer.status]);
  }
  // After the change has committed: no login made with the old password keeps a session.
  const survivors: number[] = [];
  for (const [i, answer] of logins.entries()) {
    if (answer.status !== 200) continue;
    const again = await refreshOn(urls, i, answer.refresh as string, answer.body.csrf_token as string, ip);
    if (again.status === 200) survivors.push(i);
    else expect(["session_revoked", "refresh_invalid"]).toContain(again.body.error);
  }
  expect(survivors, "logins with the old password whose session outlived the change").toEqual([]);
  return { logins, change: changed };
}

/** Change the password of the user owning `access` on `url`. */
export function changePassword(url: string, access: string, ip: string): Promise<InstanceAnswer> {
  return callInstance(url, "POST", "/auth/password", {
    bearer: access,
    json: { current_password: STRONG_PASSWORD, new_password: NEW_PASSWORD },
    ip,
  });
}

/** Delete the account owning `access` on `url`. */
export function deleteAccount(url: string, access: string, ip: string): Promise<InstanceAnswer> {
  return callInstance(url, "DELETE", "/auth/account", {
    bearer: access,
    json: { password: STRONG_PASSWORD },
    ip,
  });
}

/**
 * Rotations that committed after a revocation had committed, read from the audit log: the
 * `refresh.rotated` event is written in the rotation's own transaction and the revocation's event
 * (`session.revoked`, `user.logout_all`, `user.password_changed`) only after the revocation
 * committed, so a rotation event with a higher id than the revocation event of its session (or
 * user) can only come from a rotation that was still running after the revocation committed.
 */
export function rotationsAfterRevocation(events: readonly AuditEvent[]): AuditEvent[] {
  const revokes = (e: AuditEvent, rotated: AuditEvent) =>
    (e.type === "session.revoked" && e.sessionId === rotated.sessionId) ||
    (e.type === "user.logout_all" && e.userId === rotated.userId) ||
    // A password change keeps the caller's own session.
    (e.type === "user.password_changed" && e.userId === rotated.userId && e.sessionId !== rotated.sessionId);
  const late: AuditEvent[] = [];
  for (const rotated of events.filter((e) => e.type === "refresh.rotated")) {
    const revokedBefore = events.some((e) => (e.id ?? 0) < (rotated.id ?? 0) && revokes(e, rotated));
    if (revokedBefore) late.push(rotated);
  }
  return late;
}

/** The `epoch` claim of an access token (read without verifying: the test minted it). */
export function epochOf(accessToken: string): number {
  const payload = accessToken.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).epoch as number;
}

/** Refresh answers of a race: each 200 or 401 `session_revoked`, never anything else. */
export function expectRefreshOrRevoked(answers: readonly InstanceAnswer[]): InstanceAnswer[] {
  for (const answer of answers) {
    expect([200, 401], JSON.stringify(answer.body)).toContain(answer.status);
    if (answer.status === 401) expect(answer.body.error).toBe("session_revoked");
  }
  return answers.filter((a) => a.status === 200);
}

/**
 * A client refreshing without pause: each successor in turn, on server `i`, `i + 1`, …, until one
 * refresh is refused (or `max` went through). Racing a revocation, the loop straddles its commit
 * whatever it costs (a password change hashes first). Returns every answer, the refusal last.
 */
export async function refreshUntilRefused(
  urls: readonly string[],
  start: SignedIn,
  ip: string,
  i: number,
  max = 400,
): Promise<InstanceAnswer[]> {
  const answers: InstanceAnswer[] = [];
  let refresh = start.refresh;
  for (let n = 0; n < max; n++) {
    const answer = await refreshOn(urls, i + n, refresh, start.csrf, ip);
    answers.push(answer);
    if (answer.status !== 200 || answer.refresh === undefined) break;
    refresh = answer.refresh;
  }
  return answers;
}

export type RevocationKind = "logout" | "logout-all" | "password change";

/**
 * `pairs` clients each refreshing without pause (`refreshUntilRefused`) while, at the same moment,
 * their session is revoked by `kind` (a logout of the racer's own cookie; a logout-all or password
 * change by another session of the same user). Asserts: every revocation 204; every refresh 200 or
 * 401 `session_revoked`, each loop ending refused; every 200 carries epoch 0 (a user starts at 0 and
 * the revocation bumps it, so a token minted after the revocation committed would carry 1); and no
 * rotation committed after its revocation (`rotationsAfterRevocation` over `auditOf`). Returns the
 * 200 answers.
 */
export async function raceRefreshesAgainst(
  urls: readonly string[],
  kind: RevocationKind,
  ip: string,
  pairs: number,
  auditOf: (userIds: readonly string[]) => Promise<AuditEvent[]>,
): Promise<InstanceAnswer[]> {
  const users: Array<{ caller: SignedIn; racer: SignedIn }> = [];
  if (kind === "logout") {
    const first = await registerAndLogin(urls, ip);
    users.push({ caller: first, racer: first });
    for (let i = 1; i < pairs; i++) {
      const racer = await loginAs(urls, first.email, ip, i);
      users.push({ caller: racer, racer });
    }
  } else {
    for (let i = 0; i < pairs; i++) {
      const caller = await registerAndLogin(urls, ip);
      users.push({ caller, racer: await loginAs(urls, caller.email, ip, i) });
    }
  }
  const revoke = (url: string, { caller, racer }: { caller: SignedIn; racer: SignedIn }) => {
    if (kind === "logout") {
      return callInstance(url, "POST", "/auth/logout", {
        refresh: racer.refresh,
        headers: { "x-csrf-token": racer.csrf },
        ip,
      });
    }
    if (kind === "logout-all")
      return callInstance(url, "POST", "/auth/logout-all", { bearer: caller.access, ip });
    return changePassword(url, caller.access, ip);
  };

  const [loops, revocations] = await Promise.all([
    Promise.all(users.map(({ racer }, i) => refreshUntilRefused(urls, racer, ip, i))),
    Promise.all(users.map((pair, i) => revoke(at(urls, i + 1), pair))),
  ]);
  expect(revocations.map((a) => a.status)).toEqual(Array(pairs).fill(204));
  for (const loop of loops) expect(loop.at(-1)?.status).toBe(401);
  const winners = expectRefreshOrRevoked(loops.flat());
  expect(winners.map((w) => epochOf(w.body.access_token))).toEqual(winners.map(() => 0));
  const userIds = [...new Set(users.map((u) => u.caller.userId))];
  expect(rotationsAfterRevocation(await auditOf(userIds))).toEqual([]);
  return winners;
}
