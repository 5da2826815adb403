import type { Reply } from "../lib/http.js";
import { errorCode, NetworkError } from "../lib/http.js";
import type { Finding, RunContext } from "../lib/run-context.js";

const STACK_PATTERNS = [
  /\n\s*at\s+\S[^\n]*(?::\d+:\d+|<anonymous>|\(native\))/,
  /node:internal\//,
  /node_modules[\\/]/,
  /\.(?:[cm]?js|ts):\d+:\d+/,
  /"stack"\s*:/,
  /Traceback \(most recent call last\)/,
];
const STACK_HINT =
  "answer 400 {error, message} for bad input and never send err.stack (a generic 500 for the unexpected)";

/** Whether a response body shows a stack trace or source paths. */
export function looksLikeStack(text: string): boolean {
  return STACK_PATTERNS.some((p) => p.test(text));
}

interface Probe {
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

const PROBES: Probe[] = [
  {
    name: "malformed JSON",
    method: "POST",
    path: "/auth/login",
    body: '{"email":"doctor@example.invalid","password":',
  },
  {
    name: "a 1.5 MB body",
    method: "POST",
    path: "/auth/login",
    body: JSON.stringify({ email: "doctor@example.invalid", password: "x".repeat(1_500_000) }),
  },
  {
    name: "wrong types",
    method: "POST",
    path: "/auth/login",
    body: JSON.stringify({ email: 12345, password: ["x"] }),
  },
  {
    name: "a garbage Bearer token",
    method: "GET",
    path: "/auth/me",
    headers: { authorization: "Bearer not.a.token" },
  },
];

function judgeReply(name: string, reply: Reply): { malformed: Finding; shape: Finding } {
  let malformed: Finding = { status: "pass", detail: `${name} → ${reply.status}` };
  if (looksLikeStack(reply.text)) {
    malformed = { status: "fail", detail: `stack trace in the answer to ${name}`, hint: STACK_HINT };
  } else if (reply.status >= 500) {
    malformed = { status: "fail", detail: `${name} → ${reply.status}`, hint: STACK_HINT };
  } else if (reply.status < 400) {
    malformed = {
      status: "warn",
      detail: `${name} accepted (${reply.status})`,
      hint: "validate request bodies and refuse bad input with 400",
    };
  }
  const code = errorCode(reply);
  let shape: Finding = { status: "pass", detail: `${name} → {error:"${code}"}` };
  if (code === undefined) {
    const type = reply.headers.get("content-type") ?? "no content type";
    shape = {
      status: "fail",
      detail: `${name} answered without a JSON {error} body (${type.split(";")[0]})`,
      hint: 'answer every error as JSON {"error":"snake_case_code","message":"…"}',
    };
  } else if (!/^[a-z][a-z0-9_]*$/.test(code)) {
    shape = {
      status: "warn",
      detail: `${name} → error "${code}" is not a snake_case code`,
      hint: "use stable snake_case error codes",
    };
  }
  return { malformed, shape };
}

/** Sends malformed requests: every answer must be a 4xx JSON error without a stack trace. */
export async function checkMalformedInput(ctx: RunContext): Promise<void> {
  ctx.step("malformed input");
  const malformed: Finding[] = [];
  const shape: Finding[] = [];
  const codes: string[] = [];
  for (const probe of PROBES) {
    try {
      const reply = await ctx.http.request(probe.method, probe.path, {
        ...(probe.body === undefined ? {} : { body: probe.body }),
        ...(probe.headers === undefined ? {} : { headers: probe.headers }),
      });
      const verdict = judgeReply(probe.name, reply);
      malformed.push(verdict.malformed);
      codes.push(`${reply.status} ${errorCode(reply) ?? "?"}`);
      shape.push(verdict.shape);
    } catch (error) {
      // A server may cut an oversized upload short; that is a refusal, not a leak.
      if (!(error instanceof NetworkError)) throw error;
      malformed.push({ status: "pass", detail: `${probe.name}: connection closed` });
    }
  }
  ctx.conclude(
    "errors.malformed",
    malformed,
    "malformed JSON, a 1.5 MB body, wrong types, a bad token: 4xx, no stack",
  );
  ctx.conclude("errors.shape", shape, `JSON {error} bodies: ${codes.join(", ")}`);
}
