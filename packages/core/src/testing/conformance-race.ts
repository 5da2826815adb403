import { expect } from "vitest";
import type { RotateInput, RotateOutcome, Store } from "../store.js";
import { rotation, seedSession, T0 } from "./conformance-fixtures.js";

/**
 * What a burst of concurrent rotations of one refresh token produced.
 *
 * @example
 * const { winners, outcomes } = await countRotationWinners(store, 20);
 */
export interface RotationRace {
  tokenId: string;
  sessionId: string;
  inputs: RotateInput[];
  outcomes: RotateOutcome[];
  /** How many calls answered `rotated`: exactly 1 for a correct store. */
  winners: number;
}

/**
 * Seed a fresh session and fire `n` rotations of its first token at once (`Promise.all`), spread
 * round-robin over `stores` (several connections to one database for cross-connection races).
 *
 * @example
 * const race = await countRotationWinners(store, 20);
 * expect(race.winners).toBe(1);
 */
export async function countRotationWinners(
  storeOrStores: Store | readonly Store[],
  n: number,
): Promise<RotationRace> {
  const stores = "rotateRefreshToken" in storeOrStores ? [storeOrStores] : storeOrStores;
  const first = stores[0];
  if (!first) throw new Error("countRotationWinners needs at least one store");
  const { session, token } = await seedSession(first);
  const inputs = Array.from({ length: n }, (_, i) => rotation(token, T0 + 1000 + i));
  const outcomes = await Promise.all(
    inputs.map((input, i) => (stores[i % stores.length] ?? first).rotateRefreshToken(input)),
  );
  const winners = outcomes.filter((o) => o.outcome === "rotated").length;
  return { tokenId: token.id, sessionId: session.id, inputs, outcomes, winners };
}

/**
 * The conformance check of atomic rotation: of `n` concurrent rotations exactly one wins, every
 * loser sees `already_used` with the winner's successor, and no loser's successor was stored.
 *
 * @example
 * await expectSingleRotationWinner([store, siblingConnection], 20);
 */
export async function expectSingleRotationWinner(
  storeOrStores: Store | readonly Store[],
  n = 20,
): Promise<void> {
  const stores = "rotateRefreshToken" in storeOrStores ? [storeOrStores] : storeOrStores;
  const race = await countRotationWinners(stores, n);
  expect(race.winners, "concurrent rotations that answered `rotated`").toBe(1);

  const winnerIndex = race.outcomes.findIndex((o) => o.outcome === "rotated");
  const winner = race.inputs[winnerIndex]!;
  for (const outcome of race.outcomes) {
    if (outcome.outcome === "rotated") continue;
    expect(outcome).toEqual({ outcome: "already_used", usedAt: winner.now, successor: winner.successor });
  }

  const store = stores[0]!;
  const stored = await store.getRefreshToken(race.tokenId);
  expect(stored?.token).toMatchObject({
    usedAt: winner.now,
    successorId: winner.successor.id,
    successorSealed: winner.successorSealed,
  });
  for (const [i, input] of race.inputs.entries()) {
    const successor = await store.getRefreshToken(input.successor.id);
    if (i === winnerIndex) expect(successor?.token).toEqual(winner.successor);
    else expect(successor, "a losing rotation's successor must not be stored").toBeNull();
  }
}
