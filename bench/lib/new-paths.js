import { createSqliteStore } from "@tessera/store-sqlite";
import { pinnedTo } from "./http-bench.js";
import { throughput } from "./limits.js";
import { load } from "./load.js";
import { CLIENT, seedTessera } from "./seed.js";
import { startTessera } from "./tessera-server.js";

/**
 * The newer paths over HTTP, each beside its limit (core doing the same work in-process on the
 * same SQLite file, 64 concurrent callers):
 * - login by ticket: `POST /auth/login/ticket {ticket}` — one single-use ticket per request, made
 *   by core's `adminCreateLoginTicket` just before the run (a ticket lives 60 s); each redemption
 *   starts a session, like a login without the password hash. Limit: `loginWithTicket()`.
 * - password-reset request: `POST /auth/password/forgot {email}` for known addresses — answered
 *   202 before the lookup; the server then creates the reset token and hands the mail to its
 *   mailer (no SMTP here: the development console mailer, writing to a pipe). Mail rate limits
 *   off. Limit: `requestPasswordReset()` (the same work, mail to nowhere).
 *
 * @typedef {{ path: string, databaseUrl: string, masterKeyHex: string, emails: string[] }} Target
 * @typedef {{ duration: number, warmup: number, serverCpus: string | undefined, loadCpus: string | undefined }} Settings
 * @typedef {{ workers: number, rounds: number, roundMs: number, warmupMs: number }} LimitSettings
 */

const CONNECTIONS = 64;
/**
 * Tickets per second of run the bench makes ahead: above any redemption rate seen here (3,000 ran
 * out in-process on a quiet machine; tickets live 60 s, so they cannot be made much earlier).
 */
const TICKETS_PER_SECOND = 12_000;

/**
 * @template T
 * @param {Target} target
 * @param {(tessera: import("@tessera/core").Tessera) => Promise<T>} fn
 */
async function withCore(target, fn) {
  const store = createSqliteStore({ path: target.path });
  try {
    const tessera = await seedTessera(store, new Uint8Array(Buffer.from(target.masterKeyHex, "hex")));
    try {
      return await fn(tessera);
    } finally {
      await tessera.close();
    }
  } finally {
    await store.close();
  }
}

/**
 * @param {import("@tessera/core").Tessera} tessera
 * @param {string[]} emails
 * @param {number} count
 */
async function makeTickets(tessera, emails, count) {
  const tickets = [];
  for (let i = 0; i < count; i += 64) {
    const batch = Array.from({ length: Math.min(64, count - i) }, (_, k) =>
      tessera.adminCreateLoginTicket({ user: /** @type {string} */ (emails[(i + k) % emails.length]) }),
    );
    for (const { ticket } of await Promise.all(batch)) tickets.push(ticket);
  }
  return tickets;
}

/**
 * Login by ticket: its in-process limit, then the same over HTTP.
 *
 * @param {Target} target
 * @param {Settings} settings
 * @param {LimitSettings} limitSettings
 */
export async function ticketLogin(target, settings, limitSettings) {
  const limit = await withCore(target, async (tessera) => {
    const seconds = (limitSettings.warmupMs + limitSettings.rounds * limitSettings.roundMs) / 1000;
    const tickets = await makeTickets(tessera, target.emails, Math.ceil(seconds * TICKETS_PER_SECOND));
    let next = 0;
    return throughput(limitSettings, async () => {
      const ticket = /** @type {string} */ (tickets[next++]);
      if (ticket === undefined) throw new Error("out of tickets for the in-process limit");
      await tessera.loginWithTicket({ ticket, context: CLIENT });
    });
  });
  const tickets = await withCore(target, (tessera) =>
    makeTickets(
      tessera,
      target.emails,
      Math.ceil((settings.warmup + settings.duration) * TICKETS_PER_SECOND),
    ),
  );
  let next = 0;
  const http = await overHttp(target, settings, {}, () => ({
    method: "POST",
    path: "/auth/login/ticket",
    headers: { "content-type": "application/json", "user-agent": CLIENT.userAgent },
    body: JSON.stringify({ ticket: tickets[next++ % tickets.length] }),
  }));
  return { ...http, tickets_made: tickets.length, tickets_used: next, limit };
}

/**
 * Password-reset request: its in-process limit, then the same over HTTP.
 *
 * @param {Target} target
 * @param {Settings} settings
 * @param {LimitSettings} limitSettings
 */
export async function passwordResetRequest(target, settings, limitSettings) {
  let n = 0;
  const email = () => /** @type {string} */ (target.emails[n++ % target.emails.length]);
  const limit = await withCore(target, (tessera) =>
    throughput(limitSettings, () => tessera.requestPasswordReset({ email: email(), context: CLIENT })),
  );
  const http = await overHttp(
    target,
    settings,
    { TESSERA_RATE_LIMIT_MAIL: "off", TESSERA_RATE_LIMIT_MAIL_IP: "off", TESSERA_PASSWORD_RESET: "on" },
    () => ({
      method: "POST",
      path: "/auth/password/forgot",
      headers: { "content-type": "application/json", "user-agent": CLIENT.userAgent },
      body: JSON.stringify({ email: email() }),
    }),
  );
  return { ...http, limit };
}

/**
 * @param {Target} target
 * @param {Settings} settings
 * @param {Record<string, string>} env
 * @param {() => { method: string, path: string, headers: Record<string, string>, body: string }} next
 */
async function overHttp(target, settings, env, next) {
  const server = await startTessera({
    databaseUrl: target.databaseUrl,
    masterKeyHex: target.masterKeyHex,
    env,
    ...(settings.serverCpus !== undefined ? { cpus: settings.serverCpus } : {}),
  });
  try {
    const requests = [
      { method: "POST", path: "/", setupRequest: (/** @type {object} */ r) => Object.assign(r, next()) },
    ];
    return await pinnedTo(settings.loadCpus, async () => {
      await load({ url: server.url, connections: CONNECTIONS, duration: settings.warmup, requests });
      const before = server.cpuSeconds();
      const result = await load({
        url: server.url,
        connections: CONNECTIONS,
        duration: settings.duration,
        requests,
      });
      const after = server.cpuSeconds();
      return {
        ...result,
        server_cpu_us_per_request:
          before === null || after === null ? null : ((after - before) * 1e6) / Math.max(1, result.requests),
      };
    });
  } finally {
    await server.stop();
  }
}

/**
 * The two table lines of the new paths, each beside its in-process limit.
 *
 * @param {{ rps: number, p99_ms: number, server_cpu_us_per_request: number | null, limit_per_s: number, limit_cpu_us_per_op: number }} ticket
 * @param {{ rps: number, p99_ms: number, server_cpu_us_per_request: number | null, limit_per_s: number, limit_cpu_us_per_op: number }} forgot
 */
export function newPathLines(ticket, forgot) {
  const line = (
    /** @type {string} */ label,
    /** @type {typeof ticket} */ f,
    /** @type {string} */ limitLabel,
    /** @type {string} */ note,
  ) =>
    `${label.padEnd(21)}${`${Math.round(f.rps).toLocaleString("en-US")}/s p99 ${f.p99_ms} ms`.padEnd(35)}${`${limitLabel} ${Math.round(f.limit_per_s).toLocaleString("en-US")}/s`.padEnd(27)}${`${(f.rps / f.limit_per_s).toFixed(2)}×`.padEnd(9)}server CPU ${f.server_cpu_us_per_request ?? "?"} µs/request (in-process ${f.limit_cpu_us_per_op} µs); ${note}`;
  return [
    line(
      "login by ticket",
      ticket,
      "in-process",
      "POST /auth/login/ticket, one single-use ticket per request",
    ),
    line(
      "password forgot",
      forgot,
      "in-process",
      "POST /auth/password/forgot, 202 then token + mail (console mailer)",
    ),
  ];
}
