import { createHmac, createPublicKey, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from "jose";

/**
 * Ways to weaken the emulated deployment; the default (all unset) follows the Tessera contract.
 * Only for the doctor's tests: each flag reproduces one real-world mistake.
 */
export interface Weaknesses {
  cookieName?: string;
  cookieHttpOnly?: false;
  cookieSecure?: false;
  cookieSameSite?: "Lax" | "None" | null;
  cookiePath?: string | null;
  cookieMaxAge?: number | null;
  noCsrfCheck?: boolean;
  /** 403 on a CSRF failure, but only after consuming the refresh token. */
  csrfConsumes?: boolean;
  noOriginCheck?: boolean;
  corsWildcardWithCredentials?: boolean;
  corsReflectAnyOrigin?: boolean;
  tokenTtlSeconds?: number;
  noRateLimit?: boolean;
  rateLimitWithoutRetryAfter?: boolean;
  stackTraces?: boolean;
  cacheControl?: string | null;
  noRotation?: boolean;
  noReuseDetection?: boolean;
  reuseWithoutRevocation?: boolean;
  acceptQueryToken?: boolean;
  acceptAlgNone?: boolean;
  acceptHs256WithPublicKey?: boolean;
  skipSignatureCheck?: boolean;
  trustEmbeddedJwk?: boolean;
  publishPrivateKey?: boolean;
  registrationClosed?: boolean;
  hsts?: string;
  issuer?: string;
  /** Derives the issuer from the server's own URL (e.g. to say `localhost` instead of `127.0.0.1`). */
  issuerFor?: (url: string) => string;
  typ?: string | null;
  noAudience?: boolean;
  logoutKeepsSession?: boolean;
}

interface Family {
  userEmail: string;
  csrf: string;
  current: string;
  previous: { value: string; usedAt: number } | undefined;
  spent: Set<string>;
  revoked: boolean;
}

/** A running emulation, with what it issued (to prove none of it leaks into reports). */
export interface FakeTessera {
  url: string;
  /** Every token, cookie value and CSRF token the server handed out. */
  secretsIssued: string[];
  users: Map<string, string>;
  liveSessions(): number;
  close(): Promise<void>;
}

const ALLOWED_ORIGIN = "https://app.example.test";
const GRACE_MS = 10_000;
const LOGIN_LIMIT = 10;
const AUDIENCE = "tessera";

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_048_576) {
        reject(new HttpError(413, "payload_too_large"));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

/**
 * Starts an emulated Tessera on 127.0.0.1 with an ephemeral port.
 *
 * @example
 * const server = await startFakeTessera({ noCsrfCheck: true });
 * await server.close();
 */
export async function startFakeTessera(weak: Weaknesses = {}): Promise<FakeTessera> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA", use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid: "k1", alg: "EdDSA", use: "sig" };
  const publicPem = createPublicKey({ key: publicJwk as import("node:crypto").JsonWebKey, format: "jwk" })
    .export({ type: "spki", format: "pem" })
    .toString();
  const users = new Map<string, string>();
  const families = new Map<string, Family>();
  const byToken = new Map<string, string>();
  const failures = new Map<string, number>();
  const secretsIssued: string[] = [];
  const cookieName = weak.cookieName ?? "__Secure-tessera_refresh";
  let issuer = "";

  const issue = (value: string) => {
    secretsIssued.push(value);
    return value;
  };

  const setCookie = (value: string, maxAge: number | null) => {
    const parts = [`${cookieName}=${value}`];
    const path = weak.cookiePath === undefined ? "/auth" : weak.cookiePath;
    if (path !== null) parts.push(`Path=${path}`);
    if (weak.cookieHttpOnly !== false) parts.push("HttpOnly");
    if (weak.cookieSecure !== false) parts.push("Secure");
    const sameSite = weak.cookieSameSite === undefined ? "Strict" : weak.cookieSameSite;
    if (sameSite !== null) parts.push(`SameSite=${sameSite}`);
    if (maxAge !== null) parts.push(`Max-Age=${maxAge}`);
    return parts.join("; ");
  };

  const accessToken = async (email: string, sid: string) => {
    const header: { alg: string; kid: string; typ?: string } = { alg: "EdDSA", kid: "k1" };
    const typ = weak.typ === undefined ? "at+jwt" : weak.typ;
    if (typ !== null) header.typ = typ;
    const jwt = new SignJWT({ sid, client_id: "tessera", epoch: 0 })
      .setProtectedHeader(header)
      .setIssuer(issuer)
      .setSubject(email)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${weak.tokenTtlSeconds ?? 900}s`);
    if (weak.noAudience !== true) jwt.setAudience(AUDIENCE);
    return issue(await jwt.sign(privateKey));
  };

  const tokenBody = async (res: ServerResponse, email: string, sid: string, family: Family) => {
    const cacheControl = weak.cacheControl === undefined ? "no-store" : weak.cacheControl;
    if (cacheControl !== null) res.setHeader("cache-control", cacheControl);
    res.setHeader(
      "set-cookie",
      setCookie(family.current, weak.cookieMaxAge === undefined ? 604_800 : weak.cookieMaxAge),
    );
    return {
      access_token: await accessToken(email, sid),
      token_type: "Bearer",
      expires_in: weak.tokenTtlSeconds ?? 900,
      csrf_token: family.csrf,
      user: { id: email, email },
    };
  };

  const bearer = async (req: IncomingMessage, url: URL): Promise<{ email: string; sid: string }> => {
    const fromQuery = url.searchParams.get("access_token");
    if (fromQuery !== null && weak.acceptQueryToken !== true) throw new HttpError(400, "invalid_request");
    const header = req.headers.authorization ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : (fromQuery ?? "");
    if (token === "") throw new HttpError(401, "token_missing");
    const payload = await verifyAccess(token);
    const email = String(payload.sub);
    const sid = String(payload.sid);
    if (!users.has(email) || families.get(sid)?.revoked !== false) throw new HttpError(401, "token_revoked");
    return { email, sid };
  };

  const verifyAccess = async (token: string): Promise<Record<string, unknown>> => {
    const [h = "", p = "", s = ""] = token.split(".");
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
      payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    } catch {
      throw new HttpError(401, "token_malformed");
    }
    const alg = String(header.alg);
    if (weak.acceptAlgNone === true && alg.toLowerCase() === "none") return payload;
    if (weak.skipSignatureCheck === true) return payload;
    if (weak.acceptHs256WithPublicKey === true && alg === "HS256") {
      const expected = createHmac("sha256", publicPem).update(`${h}.${p}`).digest("base64url");
      if (expected === s) return payload;
    }
    if (weak.trustEmbeddedJwk === true && typeof header.jwk === "object" && header.jwk !== null) {
      const key = (await importJWK(header.jwk as JWK, alg)) as CryptoKey;
      return (await jwtVerify(token, key)).payload;
    }
    try {
      const options = {
        algorithms: ["EdDSA"],
        issuer,
        ...(weak.noAudience === true ? {} : { audience: AUDIENCE }),
      };
      return (await jwtVerify(token, publicKey, options)).payload;
    } catch {
      throw new HttpError(401, "token_invalid");
    }
  };

  const json = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const text = await readBody(req);
    try {
      const value: unknown = JSON.parse(text === "" ? "{}" : text);
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new HttpError(400, "invalid_request");
      return value as Record<string, unknown>;
    } catch (error) {
      if (weak.stackTraces === true && error instanceof SyntaxError) throw error;
      throw new HttpError(400, "invalid_request");
    }
  };

  const credentials = (body: Record<string, unknown>) => {
    if (typeof body.email !== "string" || typeof body.password !== "string")
      throw new HttpError(400, "invalid_request");
    return { email: body.email, password: body.password };
  };

  const familyOfCookie = (req: IncomingMessage): { sid: string; family: Family; token: string } => {
    const token = cookieOf(req, cookieName);
    const sid = token === undefined ? undefined : byToken.get(token);
    const family = sid === undefined ? undefined : families.get(sid);
    if (token === undefined || sid === undefined || family === undefined)
      throw new HttpError(401, "refresh_invalid");
    return { sid, family, token };
  };

  const rotate = (sid: string, family: Family, from: string) => {
    if (weak.noRotation === true) return;
    const next = issue(randomBytes(32).toString("base64url"));
    byToken.set(next, sid);
    family.spent.add(from);
    family.previous = { value: from, usedAt: Date.now() };
    family.current = next;
  };

  const cookieGuard = (req: IncomingMessage, family: Family, consume: () => void) => {
    const origin = req.headers.origin;
    if (weak.noOriginCheck !== true && origin !== undefined && origin !== ALLOWED_ORIGIN) {
      throw new HttpError(403, "origin_not_allowed");
    }
    if (weak.noCsrfCheck !== true && req.headers["x-csrf-token"] !== family.csrf) {
      if (weak.csrfConsumes === true) consume();
      throw new HttpError(403, "csrf_failed");
    }
  };

  const routes = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<[number, unknown]> => {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /.well-known/oauth-authorization-server":
        return [
          200,
          {
            issuer,
            jwks_uri: `${issuer}/.well-known/jwks.json`,
            token_endpoint: `${issuer}/oauth/token`,
            revocation_endpoint: `${issuer}/oauth/revoke`,
            grant_types_supported: ["refresh_token"],
          },
        ];
      case "GET /.well-known/jwks.json":
        return [200, { keys: [weak.publishPrivateKey === true ? privateJwk : publicJwk] }];
      case "POST /auth/register": {
        const { email, password } = credentials(await json(req));
        if (weak.registrationClosed === true) throw new HttpError(403, "registration_closed");
        if (users.has(email)) throw new HttpError(409, "email_taken");
        users.set(email, password);
        return [201, { user: { id: email, email } }];
      }
      case "POST /auth/login": {
        const { email, password } = credentials(await json(req));
        const failed = failures.get(email) ?? 0;
        if (weak.noRateLimit !== true && failed >= LOGIN_LIMIT) {
          if (weak.rateLimitWithoutRetryAfter !== true) res.setHeader("retry-after", "900");
          throw new HttpError(429, "rate_limited");
        }
        if (users.get(email) !== password) {
          failures.set(email, failed + 1);
          throw new HttpError(401, "invalid_credentials");
        }
        const sid = randomUUID();
        const family: Family = {
          userEmail: email,
          csrf: issue(randomBytes(16).toString("base64url")),
          current: issue(randomBytes(32).toString("base64url")),
          previous: undefined,
          spent: new Set(),
          revoked: false,
        };
        families.set(sid, family);
        byToken.set(family.current, sid);
        return [200, await tokenBody(res, email, sid, family)];
      }
      case "POST /auth/refresh": {
        const { sid, family, token } = familyOfCookie(req);
        cookieGuard(req, family, () => {
          // The bug being emulated: the token is burned before the check, and nobody gets its successor.
          if (token === family.current) {
            rotate(sid, family, token);
            family.previous = undefined;
          }
        });
        if (family.revoked) throw new HttpError(401, "session_revoked");
        if (token === family.current) {
          rotate(sid, family, token);
        } else if (
          family.previous?.value === token &&
          Date.now() - family.previous.usedAt < GRACE_MS &&
          !family.spent.has(family.current)
        ) {
          // grace window: the same successor again
        } else if (family.spent.has(token)) {
          if (weak.noReuseDetection === true) {
            rotate(sid, family, family.current);
          } else {
            if (weak.reuseWithoutRevocation !== true) family.revoked = true;
            throw new HttpError(401, "refresh_reused");
          }
        } else {
          throw new HttpError(401, "refresh_invalid");
        }
        return [200, await tokenBody(res, family.userEmail, sid, family)];
      }
      case "POST /auth/logout": {
        const { family } = familyOfCookie(req);
        if (family.revoked) throw new HttpError(401, "session_revoked");
        cookieGuard(req, family, () => {});
        if (weak.logoutKeepsSession !== true) family.revoked = true;
        res.setHeader("set-cookie", setCookie("", 0));
        return [204, undefined];
      }
      case "GET /auth/csrf":
        return [200, { csrf_token: familyOfCookie(req).family.csrf }];
      case "GET /auth/me": {
        const { email, sid } = await bearer(req, url);
        return [200, { user: { id: email, email }, session: { id: sid } }];
      }
      case "DELETE /auth/account": {
        const { email } = await bearer(req, url);
        const body = await json(req);
        if (body.password !== users.get(email)) throw new HttpError(401, "invalid_credentials");
        users.delete(email);
        for (const family of families.values()) if (family.userEmail === email) family.revoked = true;
        return [204, undefined];
      }
      default:
        throw new HttpError(404, "not_found");
    }
  };

  const cors = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    if (weak.corsWildcardWithCredentials === true) {
      res.setHeader("access-control-allow-origin", "*");
      res.setHeader("access-control-allow-credentials", "true");
    } else if (origin === ALLOWED_ORIGIN || weak.corsReflectAnyOrigin === true) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-allow-credentials", "true");
      res.setHeader("vary", "Origin");
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (weak.hsts !== undefined) res.setHeader("strict-transport-security", weak.hsts);
    cors(req, res);
    if (req.method === "OPTIONS") {
      res.setHeader("access-control-allow-methods", "GET, POST, DELETE");
      res.setHeader("access-control-allow-headers", "content-type, x-csrf-token, authorization");
      res.writeHead(204).end();
      return;
    }
    routes(req, res, url).then(
      ([status, body]) => {
        if (body === undefined) res.writeHead(status).end();
        else res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      },
      (error: unknown) => {
        if (error instanceof HttpError) {
          res.writeHead(error.status, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: error.code, message: "request refused" }));
        } else {
          res
            .writeHead(500, { "content-type": "text/plain" })
            .end(error instanceof Error ? error.stack : "error");
        }
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = weak.issuer ?? weak.issuerFor?.(url) ?? url;
  return {
    url,
    secretsIssued,
    users,
    liveSessions: () => [...families.values()].filter((f) => !f.revoked && users.has(f.userEmail)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The origin the emulation allows for credentialed CORS. */
export const FAKE_ALLOWED_ORIGIN = ALLOWED_ORIGIN;

/**
 * A `fetch` that sends requests for `publicOrigin` (e.g. `https://auth.example.test`) to a local
 * server instead, so transport checks can be exercised without certificates or DNS.
 */
export function routedFetch(publicOrigin: string, localOrigin: string): typeof globalThis.fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const target = url.origin === publicOrigin ? new URL(`${url.pathname}${url.search}`, localOrigin) : url;
    return fetch(target, init);
  };
}
