import { describe, expect, it } from "vitest";
import { Redactor } from "./redact.js";

describe("Redactor", () => {
  it("masks registered secrets, their URL-encoded form, and anything JWT-shaped", () => {
    const r = new Redactor();
    r.add("p@ss word!");
    r.add("cookievalue123");
    const text = r.scrub("pw=p@ss word! enc=p%40ss%20word! c=cookievalue123 t=eyJhbGciOi.eyJzdWIiOi.sig");
    expect(text).not.toContain("p@ss");
    expect(text).not.toContain("p%40ss");
    expect(text).not.toContain("cookievalue123");
    expect(text).not.toContain("eyJ");
  });

  it("ignores values too short to be secrets, so words survive", () => {
    const r = new Redactor();
    r.add("a");
    r.add(undefined);
    expect(r.scrub("a cat")).toBe("a cat");
  });
});
