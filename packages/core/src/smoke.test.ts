import { ManualClock } from "@tessera/core";
import { expect, it } from "vitest";

it("manual clock moves only when told", () => {
  const clock = new ManualClock(1000);
  clock.advance(500);
  expect(clock.now()).toBe(1500);
});
