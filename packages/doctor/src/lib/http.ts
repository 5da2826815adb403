import type { Redactor } from "./redact.js";

/** A server answer, read completely. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: unknown;
  setCookies: string[];
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is (with a JSON content type). */
  body?: unknown;
  /** Exact query string to append (without `?`). */
  query?: string;
}

/** A request that never reached an answer (refused connection, reset, timeout). */
export class NetworkError extends Error {
  readonly code = "network_error";
}

/**
 * The doctor's only way to the server: never follows redirects (it checks what the server itself
 * answers) and scrubs secrets from every error it raises.
 */
export class HttpClient {
  readonly base: URL;
  readonly #fetch: typeof globalThis.fetch;
  readonly #timeoutMs: number;
  readonly #redact: Redactor;

  constructor(base: URL, fetchImpl: typeof globalThis.fetch, timeoutMs: number, redact: Redactor) {
    this.base = base;
    this.#fetch = fetchImpl;
    this.#timeoutMs = timeoutMs;
    this.#redact = redact;
  }

  /** Absolute URL of a path on the server, keeping a base path such as `/tessera`. */
  url(path: string, query?: string): URL {
    const prefix = this.base.pathname.replace(/\/+$/, "");
    const url = new URL(this.base.href);
    url.pathname = `${prefix}${path}`;
    url.search = query === undefined ? "" : `?${query}`;
    url.hash = "";
    return url;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    let body: string | undefined;
    if (typeof options.body === "string") body = options.body;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && headers["content-type"] === undefined)
      headers["content-type"] = "application/json";
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.url(path, options.query), {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: "manual",
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new NetworkError(this.#redact.scrub(`${method} ${path}: ${describe(error)}`));
    }
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      status: response.status,
      headers: response.headers,
      text,
      json,
      setCookies: response.headers.getSetCookie(),
    };
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error
      ? ` (${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message})`
      : "";
  return `${error.name === "TimeoutError" ? "timed out" : error.message}${cause}`;
}

/** The `error` code of a JSON error body, if it has one. */
export function errorCode(reply: Reply): string | undefined {
  const json = reply.json;
  if (typeof json === "object" && json !== null && "error" in json) {
    const code = (json as { error: unknown }).error;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** A short description of an answer for report details, e.g. `403 csrf_failed`. */
export function describeReply(reply: Reply): string {
  const code = errorCode(reply);
  return code === undefined ? String(reply.status) : `${reply.status} ${code}`;
}

/** A string field of a JSON object body. */
export function stringField(reply: Reply, field: string): string | undefined {
  const json = reply.json;
  if (typeof json !== "object" || json === null) return undefined;
  const value = (json as Record<string, unknown>)[field];
  return typeof value === "string" ? value : undefined;
}
