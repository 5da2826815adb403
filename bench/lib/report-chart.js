/** The rows the bench chart (`svg.js`) draws: each figure as a ratio to its limit. */

import { ratio, shortCount } from "./report-format.js";

/** @typedef {import("./report-format.js").Results} Results */

/**
 * The chart's rows: each figure as a ratio to its limit, with the target where there is one.
 *
 * @param {Results} r
 * @returns {Array<{ label: string, bars: Array<{ name: string, ratio: number }>, target?: number }>}
 */
export function chartRows(r) {
  const rows = [];
  for (const [alg, v] of Object.entries(r.verify)) {
    rows.push({
      label: `verify ${alg} / raw`,
      bars: [
        { name: "tessera", ratio: ratio(v.tessera, v.raw) },
        { name: "jose", ratio: ratio(v.jose, v.raw) },
        { name: "fast-jwt", ratio: ratio(v.fast_jwt, v.raw) },
      ],
      target: alg === "rs256" ? 0.8 : 0.85,
    });
  }
  rows.push({
    label: "sign eddsa / raw",
    bars: [{ name: "tessera", ratio: ratio(r.sign.eddsa.tessera, r.sign.eddsa.raw) }],
    target: 0.85,
  });
  const h = r.http;
  rows.push({
    label: "refresh sqlite / in-process",
    bars: [{ name: "tessera", ratio: ratio(h.refresh_sqlite.rps, h.refresh_limit_per_s) }],
    target: 0.45,
  });
  rows.push({
    label: `refresh ${shortCount(h.refresh_sqlite_1m.sessions_in_store)} / small store`,
    bars: [{ name: "tessera", ratio: ratio(h.refresh_sqlite_1m.rps, h.refresh_sqlite.rps) }],
    target: 0.8,
  });
  rows.push({
    label: "refresh sqlite / 6,000 target",
    bars: [{ name: "tessera", ratio: ratio(h.refresh_sqlite.rps, 6000) }],
    target: 1,
  });
  rows.push({
    label: "login sqlite / argon2id",
    bars: [{ name: "tessera", ratio: ratio(h.login_sqlite.rps, h.login_sqlite.argon2_limit_per_s) }],
    target: 0.9,
  });
  if (r.server_sessions) {
    rows.push({
      label: "session route / open route",
      bars: [{ name: "tessera", ratio: r.server_sessions.ratio }],
      target: 0.8,
    });
  }
  if (h.refresh_postgres && h.refresh_limit_postgres_per_s) {
    rows.push({
      label: "refresh postgres / in-process",
      bars: [{ name: "tessera", ratio: ratio(h.refresh_postgres.rps, h.refresh_limit_postgres_per_s) }],
    });
  }
  if (h.login_postgres) {
    rows.push({
      label: "login postgres / argon2id",
      bars: [{ name: "tessera", ratio: ratio(h.login_postgres.rps, h.login_sqlite.argon2_limit_per_s) }],
    });
  }
  return rows;
}
