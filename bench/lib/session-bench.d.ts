// Types of session-bench.js for its test (the bench itself is plain JavaScript).

export interface SessionBenchSettings {
  sessions: number;
  sample: number;
  inProcess: { rounds: number; sliceMs: number; warmupMs: number };
  http: { rounds: number; slice: number; warmup: number };
}

export interface Pinning {
  serverCpus: string | undefined;
  loadCpus: string | undefined;
}

export interface SeededServerSessions {
  path: string;
  masterKeyHex: string;
  cookies: string[];
  sessions: number;
}

export interface ServerSessionFigure {
  protected_rps: number;
  unprotected_rps: number;
  ratio: number;
  round_ratios: number[];
  protected_cpu_us_per_request: number | null;
  unprotected_cpu_us_per_request: number | null;
  protected_p99_ms: number;
  unprotected_p99_ms: number;
  failed_requests: number;
  status_without_cookie: number;
  validate_us: number;
  raw_select_us: number;
  validate_cpu_us: number;
  raw_select_cpu_us: number;
  sessions: number;
  sampled_sessions: number;
}

export declare const SESSION_SETTINGS: Record<"tiny" | "quick" | "full", SessionBenchSettings>;
export declare function seedServerSessions(
  dir: string,
  count: number,
  sample: number,
): Promise<SeededServerSessions>;
export declare function validateCost(
  seeded: SeededServerSessions,
  options: SessionBenchSettings["inProcess"],
): Promise<{
  validate_us: number;
  raw_select_us: number;
  validate_cpu_us: number;
  raw_select_cpu_us: number;
}>;
export declare function protectedRoute(
  seeded: SeededServerSessions,
  settings: SessionBenchSettings["http"],
  pinning: Pinning,
): Promise<Record<string, unknown>>;
export declare function sessionBench(
  dir: string,
  settings: SessionBenchSettings,
  pinning: Pinning,
  log?: (line: string) => void,
): Promise<ServerSessionFigure>;
export declare function sessionsOnly(
  dir: string,
  settings: SessionBenchSettings,
  pinning: Pinning,
  log?: (line: string) => void,
): Promise<ServerSessionFigure>;
