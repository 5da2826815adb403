/**
 * Why {@link runDoctor} refused to start. Findings about the server are never thrown; they are
 * report lines.
 *
 * @example
 * try {
 *   await runDoctor({ baseUrl: "ftp://example.com" });
 * } catch (error) {
 *   if (error instanceof DoctorError && error.code === "invalid_base_url") process.exitCode = 2;
 * }
 */
export class DoctorError extends Error {
  readonly code: "invalid_base_url" | "invalid_origin" | "invalid_option";

  constructor(code: DoctorError["code"], message: string) {
    super(message);
    this.name = "DoctorError";
    this.code = code;
  }
}
