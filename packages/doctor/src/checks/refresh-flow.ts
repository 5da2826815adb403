import type { Reply } from "../lib/http.js";
import { describeReply } from "../lib/http.js";
import type { Finding, RunContext } from "../lib/run-context.js";
import { me, refresh, type Session } from "../lib/session.js";
import type { CheckId } from "./catalog.js";
import { judgeNoStore } from "./cookie.js";
import { FOREIGN_ORIGIN } from "./cors.js";

const CONSUMED_HINT = "check CSRF and Origin before consuming the refresh token";
const REUSE_HINT =
  "on reuse of a spent refresh token answer 401 and revoke its whole family, successor included";

function ok(reply: Reply): boolean {
  return reply.status >= 200 && reply.status < 300;
}

/** Judges probes that must be refused (`what` names them) followed by a genuine refresh that must still work. */
function judgeRefusal(what: string[], probes: Reply[], after: Reply, hint: string): Finding {
  const accepted = probes.findIndex(ok);
  if (accepted !== -1) return { status: "fail", detail: `refresh accepted ${what[accepted]}`, hint };
  if (after.status === 401) {
    return {
      status: "fail",
      detail: `refusing a refresh ${what.join(" / ")} consumed the token (next refresh 401)`,
      hint: CONSUMED_HINT,
    };
  }
  const answers = probes.map(describeReply).join(", ");
  if (!ok(after)) {
    return {
      status: "warn",
      detail: `refused (${answers}), but the genuine refresh then got ${describeReply(after)}`,
      hint: CONSUMED_HINT,
    };
  }
  const other = probes.find((p) => p.status !== 403);
  if (other !== undefined) {
    return {
      status: "warn",
      detail: `refused with ${describeReply(other)} instead of 403; the token survived`,
      hint: "answer 403 csrf_failed/origin_not_allowed so clients can tell it from a dead session",
    };
  }
  return { status: "pass", detail: `${what.join(" / ")} → ${answers}; the token still worked` };
}

function skipAll(ctx: RunContext, ids: CheckId[], detail: string): void {
  for (const id of ids) ctx.record(id, { status: "skip", detail, hint: "" });
}

/**
 * CSRF and Origin enforcement, rotation and reuse detection, on one session that ends revoked.
 * Returns the no-store verdict of a refresh answer (when one succeeded).
 */
export async function checkRefreshFlow(ctx: RunContext, session: Session): Promise<Finding | undefined> {
  if (session.cookie === "") {
    skipAll(
      ctx,
      ["csrf.header", "csrf.origin", "refresh.rotation", "refresh.reuse"],
      "no refresh cookie to work with",
    );
    return undefined;
  }
  ctx.step("CSRF on refresh");
  const noHeader = await refresh(ctx, session, { csrf: null });
  const wrongHeader = await refresh(ctx, session, { csrf: "doctor-wrong-csrf-token" });
  const before = session.cookie;
  const first = await refresh(ctx, session);
  ctx.record(
    "csrf.header",
    judgeRefusal(
      ["without X-CSRF-Token", "with a wrong X-CSRF-Token"],
      [noHeader, wrongHeader],
      first,
      "require X-CSRF-Token equal to the session's CSRF token on every cookie-authenticated request",
    ),
  );
  const noStore = ok(first) ? judgeNoStore(first, "refresh answer") : undefined;

  ctx.step("rotation");
  if (!ok(first)) {
    ctx.record("refresh.rotation", {
      status: "fail",
      detail: `refresh with cookie and X-CSRF-Token got ${describeReply(first)}`,
      hint: "POST /auth/refresh must answer 200 with the refresh cookie and X-CSRF-Token",
    });
  } else if (session.cookie === before) {
    ctx.record("refresh.rotation", {
      status: "fail",
      detail:
        first.setCookies.length === 0
          ? "refresh set no new refresh cookie"
          : "the refresh cookie kept its value",
      hint: "issue a new single-use refresh token on every refresh",
    });
  } else {
    ctx.record("refresh.rotation", { status: "pass", detail: "a new refresh cookie on every refresh" });
  }

  ctx.step("Origin on refresh");
  const foreign = await refresh(ctx, session, { origin: FOREIGN_ORIGIN });
  const second = await refresh(ctx, session);
  ctx.record(
    "csrf.origin",
    judgeRefusal(
      [`from Origin ${FOREIGN_ORIGIN}`],
      [foreign],
      second,
      "refuse cookie-authenticated requests whose Origin is not in TESSERA_ALLOWED_ORIGINS",
    ),
  );

  ctx.step("reuse detection");
  // The oldest token's successor has been used by now, so a replay is theft, not a grace-window retry.
  const [spent] = session.chain;
  if (spent === undefined || session.chain.length < 3) {
    ctx.record("refresh.reuse", {
      status: "skip",
      detail: "needs two successful rotations first",
      hint: "make refresh rotate the token",
    });
    return noStore;
  }
  const newest = session.cookie;
  const replay = await refresh(ctx, session, { cookie: spent });
  const successor = await refresh(ctx, session, { cookie: newest });
  const findings: Finding[] = [];
  if (ok(replay)) {
    findings.push({ status: "fail", detail: "a spent refresh token worked again", hint: REUSE_HINT });
  } else if (replay.status !== 401) {
    findings.push({
      status: "warn",
      detail: `a spent refresh token got ${describeReply(replay)}, not 401`,
      hint: REUSE_HINT,
    });
  }
  if (ok(successor)) {
    findings.push({
      status: "fail",
      detail: "after the replay the newest refresh token still works (family not revoked)",
      hint: REUSE_HINT,
    });
  } else {
    const access = await me(ctx, session.accessToken);
    if (ok(access)) {
      findings.push({
        status: "warn",
        detail: "access tokens of the revoked family still pass /auth/me",
        hint: "check the session (sid) and epoch of Bearer tokens against revocations",
      });
    }
  }
  ctx.conclude(
    "refresh.reuse",
    findings,
    `replay ${describeReply(replay)}, successor ${describeReply(successor)}: family revoked`,
  );
  return noStore;
}
