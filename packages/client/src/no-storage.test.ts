import { afterEach, expect, it, vi } from "vitest";
import { API, browser, EMAIL, PASSWORD } from "./test-support/harness.js";

afterEach(() => vi.unstubAllGlobals());

/** Install storage APIs that record and refuse every touch. */
function trapStorage(): string[] {
  const touched: string[] = [];
  const trap = (name: string) =>
    new Proxy(
      {},
      {
        get(_target, key) {
          touched.push(`${name}.${String(key)}`);
          throw new Error(`${name} touched`);
        },
        set(_target, key) {
          touched.push(`${name}.${String(key)}=`);
          throw new Error(`${name} touched`);
        },
      },
    );
  vi.stubGlobal("localStorage", trap("localStorage"));
  vi.stubGlobal("sessionStorage", trap("sessionStorage"));
  vi.stubGlobal("indexedDB", trap("indexedDB"));
  vi.stubGlobal("caches", trap("caches"));
  vi.stubGlobal("document", trap("document"));
  return touched;
}

it("the traps record a touch (control)", () => {
  const touched = trapStorage();
  expect(() => (globalThis as unknown as { localStorage: Storage }).localStorage.setItem("k", "v")).toThrow();
  expect(() => {
    (globalThis as unknown as { document: { cookie: string } }).document.cookie = "k=v";
  }).toThrow();
  expect(touched).toEqual(["localStorage.setItem", "document.cookie="]);
});

it("the whole flow never touches storage or document.cookie", async () => {
  const touched = trapStorage();
  const { clock, server, tab, signedIn, close } = browser({ accessTtlSeconds: 60 });
  try {
    const other = tab();
    const auth = await signedIn();
    expect((await auth.fetch(API)).status).toBe(200);
    clock.advance(61_000);
    expect((await auth.fetch(API)).status).toBe(200);
    server.revokeAccessTokens();
    expect((await other.fetch(API)).status).toBe(200);
    const reloaded = tab();
    expect(await reloaded.restore()).not.toBeNull();
    await reloaded.logout();
    await auth.login(EMAIL, PASSWORD);
    await auth.logoutAll();
    expect(auth.user).toBeNull();
  } finally {
    close();
  }
  expect(touched).toEqual([]);
});
