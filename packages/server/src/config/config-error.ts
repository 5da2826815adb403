/**
 * Invalid configuration. `variable` names the setting at fault; `message` is one line saying
 * why and never contains the secret value.
 *
 * @example
 * try { loadConfig(process.env); }
 * catch (e) { if (e instanceof ConfigError) console.error(e.message); } // "TESSERA_ISSUER: must be an absolute http(s) URL"
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly variable: string;

  constructor(variable: string, reason: string) {
    super(`${variable}: ${reason}`);
    this.variable = variable;
  }
}
