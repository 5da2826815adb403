import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { judgeHsts } from "./checks/transport.js";
import { runDoctor } from "./run.js";
import { type FakeTessera, routedFetch, startFakeTessera, type Weaknesses } from "./testing/fake-tessera.js";
import type { DoctorReport } from "./types.js";

const PUBLIC = "https://auth.example.test";
const PLAIN = "http://auth.example.test";
let server: FakeTessera | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs the doctor against `publicUrl`, answered by a local emulation (no DNS, no certificates). */
async function diagnoseAs(publicUrl: string, weak: Weaknesses): Promise<DoctorReport> {
  server = await startFakeTessera({ issuer: publicUrl, ...weak });
  return runDoctor({ baseUrl: publicUrl, fetch: routedFetch(publicUrl, server.url), rateLimitAttempts: 0 });
}

function check(report: DoctorReport, id: string) {
  return report.checks.find((c) => c.id === id);
}

describe("transport checks", () => {
  it("passes HTTPS with a year of HSTS", async () => {
    const report = await diagnoseAs(PUBLIC, { hsts: "max-age=31536000; includeSubDomains" });
    expect(check(report, "transport.https")?.status).toBe("pass");
    expect(check(report, "transport.hsts")?.status).toBe("pass");
    expect(check(report, "metadata.issuer")?.status).toBe("pass");
    expect(report.ok).toBe(true);
  });

  it("fails HTTPS without HSTS", async () => {
    const report = await diagnoseAs(PUBLIC, {});
    expect(check(report, "transport.hsts")?.status).toBe("fail");
    expect(check(report, "transport.hsts")?.hint).toContain("Strict-Transport-Security");
  });

  it("warns about plain HTTP on a network host, and fails its http:// issuer (RFC 8414 §2)", async () => {
    const report = await diagnoseAs(PLAIN, {});
    expect(check(report, "transport.https")?.status).toBe("warn");
    expect(check(report, "transport.https")?.hint).toContain("TESSERA_TLS_CERT");
    expect(check(report, "metadata.issuer")?.status).toBe("fail");
  });

  it("fails a production deployment (HSTS, https issuer) reached over plain HTTP behind a faked proxy", async () => {
    // A production server trusting a proxy header answers on its plain port too: the TLS proxy is bypassed.
    server = await startFakeTessera({ issuer: PUBLIC, hsts: "max-age=31536000" });
    const report = await runDoctor({ baseUrl: server.url, rateLimitAttempts: 0 });
    expect(check(report, "transport.https")?.status).toBe("fail");
    expect(check(report, "transport.https")?.hint).toContain("TESSERA_TRUST_PROXY");
    expect(check(report, "metadata.issuer")?.status).toBe("fail");
    expect(report.ok).toBe(false);
  });

  it("treats localhost and 127.0.0.1 as the same issuer host, but not another port", async () => {
    server = await startFakeTessera({ issuerFor: (url) => url.replace("127.0.0.1", "localhost") });
    const same = await runDoctor({ baseUrl: server.url, rateLimitAttempts: 0 });
    expect(check(same, "metadata.issuer")?.status).toBe("pass");
    expect(check(same, "token.claims")?.status).toBe("pass");
    await server.close();
    server = await startFakeTessera({ issuerFor: (url) => `${url.replace("127.0.0.1", "localhost")}1` });
    const other = await runDoctor({ baseUrl: server.url, rateLimitAttempts: 0 });
    expect(check(other, "metadata.issuer")?.status).toBe("fail");
  });

  it("stops at a redirect instead of following it (credentials never go to another host)", async () => {
    const seen: string[] = [];
    const redirector = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(301, { location: "https://elsewhere.example/" }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
    try {
      const port = (redirector.address() as AddressInfo).port;
      const report = await runDoctor({
        baseUrl: `http://127.0.0.1:${port}`,
        email: "a@example.com",
        password: "secret password",
      });
      expect(check(report, "transport.https")?.status).toBe("fail");
      expect(check(report, "refresh.rotation")?.detail).toContain("redirects");
      expect(seen).toEqual(["GET /.well-known/oauth-authorization-server"]);
    } finally {
      redirector.closeAllConnections();
      redirector.close();
    }
  });

  it("judges HSTS values", () => {
    expect(judgeHsts(null).status).toBe("fail");
    expect(judgeHsts("includeSubDomains").status).toBe("fail");
    expect(judgeHsts("max-age=300").status).toBe("warn");
    expect(judgeHsts('max-age="63072000"; preload').status).toBe("pass");
  });
});
