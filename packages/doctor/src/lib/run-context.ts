import { CATALOG, type CheckId, titleOf } from "../checks/catalog.js";
import type { CheckResult, CheckStatus, ProgressEvent } from "../types.js";
import type { HttpClient } from "./http.js";
import type { Redactor } from "./redact.js";

const SEVERITY: Record<CheckStatus, number> = { skip: 0, pass: 1, warn: 2, fail: 3 };

/** What one check observed; several findings collapse into the worst one. */
export interface Finding {
  status: CheckStatus;
  detail: string;
  hint?: string;
}

/** The state one run shares between its checks, and the place results are recorded. */
export class RunContext {
  readonly http: HttpClient;
  readonly redact: Redactor;
  readonly #results = new Map<CheckId, CheckResult>();
  readonly #onProgress: ((event: ProgressEvent) => void) | undefined;

  /** The issuer the server claims (metadata), once known. */
  issuer: string | undefined;
  /** Keys from the server's JWKS, once fetched. */
  jwks: Record<string, unknown>[] | undefined;

  constructor(http: HttpClient, redact: Redactor, onProgress?: (event: ProgressEvent) => void) {
    this.http = http;
    this.redact = redact;
    this.#onProgress = onProgress;
  }

  /** Announces what runs next (for progress indicators). */
  step(label: string): void {
    this.#onProgress?.({ step: label, done: this.#results.size, total: CATALOG.length });
  }

  record(id: CheckId, finding: Finding): void {
    if (this.#results.has(id)) return;
    this.#results.set(id, {
      id,
      title: titleOf(id),
      status: finding.status,
      detail: this.redact.scrub(finding.detail),
      hint: finding.status === "pass" ? "" : this.redact.scrub(finding.hint ?? ""),
    });
    this.step(titleOf(id));
  }

  /** Records the worst of several findings (their details joined), or a pass with `passDetail`. */
  conclude(id: CheckId, findings: readonly Finding[], passDetail: string): void {
    let worst: Finding | undefined;
    for (const f of findings)
      if (worst === undefined || SEVERITY[f.status] > SEVERITY[worst.status]) worst = f;
    if (worst === undefined || worst.status === "pass") {
      this.record(id, { status: "pass", detail: passDetail });
      return;
    }
    const same = [...new Set(findings.filter((f) => f.status === worst.status).map((f) => f.detail))];
    // Keep the report line short: the first two details say enough.
    const more = same.length > 2 ? `; +${same.length - 2} more` : "";
    this.record(id, { ...worst, detail: `${same.slice(0, 2).join("; ")}${more}` });
  }

  has(id: CheckId): boolean {
    return this.#results.has(id);
  }

  /** Results in catalog order; checks never reached are reported as skipped with `reason`. */
  results(reason: Finding): CheckResult[] {
    return CATALOG.map(
      ({ id, title }) =>
        this.#results.get(id) ?? {
          id,
          title,
          status: "skip" as const,
          detail: this.redact.scrub(reason.detail),
          hint: this.redact.scrub(reason.hint ?? ""),
        },
    );
  }
}
