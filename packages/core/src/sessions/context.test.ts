import { browserFamily, contextChanges, networkOf } from "@tessera/core";
import { afterEach, describe, expect, it } from "vitest";
import { CHROME, CTX, FIREFOX, type Harness, outcome, setUp, signUpAndIn } from "../test-support/harness.js";

const UA = {
  chrome: CHROME,
  edge: `${CHROME} Edg/131.0.2903.70`,
  opera: `${CHROME} OPR/115.0.0.0`,
  firefox: FIREFOX,
  safari:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  iosChrome:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
  curl: "curl/8.5.0",
};

describe("browserFamily", () => {
  it.each([
    ["chrome", UA.chrome],
    ["edge", UA.edge],
    ["opera", UA.opera],
    ["firefox", UA.firefox],
    ["safari", UA.safari],
    ["chrome", UA.iosChrome],
    ["other", UA.curl],
    ["other", ""],
  ])("is %s", (family, ua) => {
    expect(browserFamily(ua)).toBe(family);
  });
});

describe("networkOf", () => {
  it.each([
    ["203.0.113.7", "4:203.0"],
    ["::ffff:203.0.113.7", "4:203.0"],
    ["2001:db8:1:2::1", "6:2001:db8:1"],
    ["2001:0db8:0001:ffff::", "6:2001:db8:1"],
    ["::1", "6:0:0:0"],
    ["fe80::1%eth0", "6:fe80:0:0"],
  ])("%s is in %s", (ip, network) => {
    expect(networkOf(ip)).toBe(network);
  });
  it.each(["", "not-an-ip", "300.1.1.1", "1.2.3"])("%s is no address", (ip) => {
    expect(networkOf(ip)).toBeNull();
  });
});

describe("contextChanges", () => {
  const at = (ip: string | null, userAgent: string | null) => ({ ip, userAgent });
  it("ignores moves inside the /16 and /48 and browser updates", () => {
    expect(
      contextChanges(at("203.0.1.1", UA.chrome), at("203.0.250.9", UA.chrome.replace("131", "132"))),
    ).toEqual([]);
    expect(contextChanges(at("2001:db8:1::1", null), at("2001:db8:1:ffff::9", null))).toEqual([]);
  });
  it("sees another /16, another /48, an IPv4↔IPv6 switch, another browser family", () => {
    expect(contextChanges(at("203.0.1.1", null), at("203.1.1.1", null))).toEqual(["ip_prefix"]);
    expect(contextChanges(at("2001:db8:1::1", null), at("2001:db8:2::1", null))).toEqual(["ip_prefix"]);
    expect(contextChanges(at("203.0.1.1", null), at("2001:db8:2::1", null))).toEqual(["ip_prefix"]);
    expect(contextChanges(at(null, UA.chrome), at(null, UA.edge))).toEqual(["browser_family"]);
    expect(contextChanges(at("10.0.0.1", UA.chrome), at("11.0.0.1", UA.firefox))).toEqual([
      "ip_prefix",
      "browser_family",
    ]);
  });
  it("never counts an unknown login side, nor an unknown IP, as a change", () => {
    expect(contextChanges(at(null, null), at("10.0.0.1", UA.chrome))).toEqual([]);
    expect(contextChanges(at(null, UA.chrome), at(null, UA.chrome))).toEqual([]);
  });
  // Regression (issue 14.10): dropping the User-Agent dodged strict mode.
  it("counts a user agent the login had and the refresh lacks as a browser change", () => {
    expect(contextChanges(at("10.0.0.1", UA.chrome), at(null, null))).toEqual(["browser_family"]);
  });
});

describe("refresh from a changed context", () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });
  const moved = { ip: "198.51.100.1", userAgent: FIREFOX };
  const nearby = { ip: "203.0.7.7", userAgent: CHROME };

  it("audit (default): works and writes refresh.context_changed; a nearby IP writes nothing", async () => {
    h = await setUp();
    const { tokens } = await signUpAndIn(h.tessera);
    const a = await h.tessera.refresh({ refreshToken: tokens.refreshToken, context: nearby });
    expect(await h.store.listAudit({ type: "refresh.context_changed" })).toHaveLength(0);
    await h.tessera.refresh({ refreshToken: a.refreshToken, context: moved });
    const [event] = await h.store.listAudit({ type: "refresh.context_changed" });
    expect(event).toMatchObject({
      sessionId: tokens.sessionId,
      ip: moved.ip,
      data: { changed: "ip_prefix,browser_family" },
    });
    const session = await h.store.getSession(tokens.sessionId);
    expect(session).toMatchObject({ ip: CTX.ip, lastIp: moved.ip, lastUserAgent: FIREFOX });
  });

  it("strict: context_mismatch, the family revoked and audited", async () => {
    h = await setUp({ refreshContext: "strict" });
    const { tokens } = await signUpAndIn(h.tessera);
    const ok = await h.tessera.refresh({ refreshToken: tokens.refreshToken, context: nearby });
    expect(await outcome(h.tessera.refresh({ refreshToken: ok.refreshToken, context: moved }))).toBe(
      "context_mismatch",
    );
    expect((await h.store.getSession(tokens.sessionId))?.revokedReason).toBe("context_mismatch");
    expect(await h.store.listAudit({ type: "refresh.context_mismatch" })).toHaveLength(1);
    expect(await outcome(h.tessera.refresh({ refreshToken: ok.refreshToken, context: CTX }))).toBe(
      "session_revoked",
    );
  });

  it("off: works and writes nothing", async () => {
    h = await setUp({ refreshContext: "off" });
    const { tokens } = await signUpAndIn(h.tessera);
    await h.tessera.refresh({ refreshToken: tokens.refreshToken, context: moved });
    expect(await h.store.listAudit({ type: "refresh.context_changed" })).toHaveLength(0);
  });
});
