import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RotateInput, RotateOutcome, Store } from "@tessera/core";
import { countRotationWinners, expectSingleRotationWinner } from "@tessera/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Connection, Database } from "./driver.js";
import { createSqliteStore } from "./index.js";
import { INSERT_TOKEN } from "./rows.js";

// Shows that the conformance suite's concurrency check can fail. The real SQLite store is wrapped so
// that rotation becomes the anti-pattern the contract forbids: read the token, `await` a tick, then
// write unconditionally. With 20 concurrent calls every call reads "unused" before any write lands,
// so several (here all) answer `rotated`, and `expectSingleRotationWinner` — the exact check the
// suite runs — rejects. Checked by hand as well: deleting `AND used_at IS NULL` from rotate.ts makes
// the suite's rotation tests fail against the real store.

/** The real store, with rotation replaced by a read-then-write through a second raw connection. */
function withNonAtomicRotation(store: Store, raw: Connection): Store {
  const markUsed = raw.prepare(
    "UPDATE refresh_tokens SET used_at = ?, successor_id = ?, successor_sealed = ? WHERE id = ?",
  );
  const insertToken = raw.prepare(INSERT_TOKEN);
  async function rotateRefreshToken(input: RotateInput): Promise<RotateOutcome> {
    const found = await store.getRefreshToken(input.tokenId);
    if (!found) return { outcome: "not_found" };
    await new Promise((resolve) => setImmediate(resolve));
    if (found.token.usedAt !== null)
      return { outcome: "already_used", usedAt: found.token.usedAt, successor: null };
    markUsed.run(input.now, input.successor.id, input.successorSealed, input.tokenId);
    insertToken.run(input.successor);
    const user = await store.getUserById(found.session.userId);
    return user === null ? { outcome: "not_found" } : { outcome: "rotated", user };
  }
  return { ...store, rotateRefreshToken };
}

describe("the conformance concurrency check", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-sqlite-race-"));
  const path = join(dir, "race.db");
  const store = createSqliteStore({ path });
  let raw: Connection;

  beforeAll(async () => {
    await store.migrate();
    raw = new Database(path);
  });
  afterAll(async () => {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails for a read-then-write rotation: more than one winner", async () => {
    const naive = withNonAtomicRotation(store, raw);
    const race = await countRotationWinners(naive, 20);
    expect(race.winners).toBeGreaterThan(1);
    await expect(expectSingleRotationWinner(naive, 20)).rejects.toThrow();
  });

  it("passes for the real compare-and-set rotation", async () => {
    expect((await countRotationWinners(store, 20)).winners).toBe(1);
    await expectSingleRotationWinner(store, 20);
  });
});
