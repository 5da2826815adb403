import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { createDpopProver } from "./dpop.js";

// Proofs checked by plain `jose` (independent of the server's own checker).

describe("createDpopProver", () => {
  it.each(["ES256", "EdDSA"] as const)(
    "makes %s proofs that jose verifies, with the right claims",
    async (alg) => {
      const t = Date.parse("2026-05-01T10:00:00Z");
      const prover = await createDpopProver({ alg, now: () => t });
      expect(prover.jkt).toBe(await calculateJwkThumbprint(prover.publicJwk as never, "sha256"));

      const proof = await prover.proof("get", "https://API.example.com/orders?page=2#top", {
        accessToken: "at-123",
        nonce: "n-1",
      });
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
        typ: "dpop+jwt",
        algorithms: [alg],
        currentDate: new Date(t),
      });
      expect(protectedHeader.alg).toBe(alg);
      expect(Object.keys(protectedHeader.jwk ?? {})).not.toContain("d");
      expect(payload).toMatchObject({
        htm: "GET",
        htu: "https://api.example.com/orders",
        iat: t / 1000,
        nonce: "n-1",
        // base64url(SHA-256("at-123")), computed independently.
        ath: "pZOyhFN0Z9eQivPyniH1Gg1OzUpcjUffjr7n0FzCLck",
      });
      expect(typeof payload.jti).toBe("string");
    },
  );

  it("uses a fresh jti per proof and one key for all of them", async () => {
    const prover = await createDpopProver();
    const a = await prover.proof("POST", "https://auth.example.com/oauth/token");
    const b = await prover.proof("POST", "https://auth.example.com/oauth/token");
    const jti = (p: string) =>
      JSON.parse(atob((p.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"))).jti;
    expect(jti(a)).not.toBe(jti(b));
    expect(decodeProtectedHeader(a).jwk).toEqual(decodeProtectedHeader(b).jwk);
    expect((await createDpopProver()).jkt).not.toBe(prover.jkt);
  });

  it("restores a stored key pair: same thumbprint, proofs still verify", async () => {
    const first = await createDpopProver({ alg: "ES256" });
    const again = await createDpopProver({ alg: "ES256", keyPair: first.keyPair });
    expect(again.jkt).toBe(first.jkt);
    const proof = await again.proof("GET", "https://api.example.com/x");
    await expect(jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt" })).resolves.toBeTruthy();
    await expect(createDpopProver({ alg: "EdDSA", keyPair: first.keyPair })).rejects.toThrow(TypeError);
    expect(first.keyPair.privateKey.extractable).toBe(false);
  });

  it("refuses an unsupported algorithm", async () => {
    await expect(createDpopProver({ alg: "HS256" as never })).rejects.toThrow(TypeError);
  });
});
