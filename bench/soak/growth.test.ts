import { describe, expect, it } from "vitest";
import { judgeGrowth, type Sample } from "./growth.js";

// The soak's verdict on memory and descriptors: flat passes, a leak fails, the warm-up is ignored.

const series = (count: number, rss: (i: number) => number, fds: (i: number) => number = () => 30): Sample[] =>
  Array.from({ length: count }, (_, i) => ({ t_s: i * 2, rss_mb: rss(i), fds: fds(i) }));

describe("judgeGrowth", () => {
  it("passes a flat run with noise", () => {
    const verdict = judgeGrowth(
      series(60, (i) => 120 + (i % 5)),
      24,
    );
    expect(verdict.failures).toEqual([]);
    expect(verdict.rss?.first_third_median_mb).toBeGreaterThan(119);
  });

  it("fails RSS that keeps climbing (3 MB per sample)", () => {
    const verdict = judgeGrowth(
      series(60, (i) => 100 + 3 * i),
      24,
    );
    expect(verdict.passed).toBe(false);
    expect(verdict.failures.join()).toContain("RSS grew");
  });

  it("fails descriptors that keep climbing (one leaked per sample)", () => {
    const verdict = judgeGrowth(
      series(
        60,
        () => 120,
        (i) => 30 + i,
      ),
      24,
    );
    expect(verdict.failures.join()).toContain("open fds grew");
  });

  it("ignores growth inside the warm-up", () => {
    const verdict = judgeGrowth(
      series(60, (i) => (i < 12 ? 40 + i * 10 : 170)),
      24,
    );
    expect(verdict.failures).toEqual([]);
  });

  it("fails when too few samples remain after the warm-up", () => {
    expect(
      judgeGrowth(
        series(10, () => 100),
        16,
      ).passed,
    ).toBe(false);
  });
});
