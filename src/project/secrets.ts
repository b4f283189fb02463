// Which profile values are secrets, after dbt's rule: a credential field (password, token, key,
// secret, …) and any value read from an environment variable named SLUICE_ENV_SECRET_*. Secrets
// are replaced by `****` in everything sluice prints or writes, whatever their length (a secret
// shorter than four characters only where it stands alone, so that a one-letter password does not
// turn every word that holds its letter into stars); hosts, ports, databases and users are not
// secrets, so a person can diagnose a connection from them.

/** Environment variables with this prefix hold secrets wherever they are read. */
export const SECRET_ENV_PREFIX = "SLUICE_ENV_SECRET_";

const CREDENTIAL_FIELD = /(password|passwd|passphrase|pwd|token|secret|key|credential|connection_string)/i;

/** True for a profile field that holds a credential. */
export function isCredentialField(field: string): boolean {
  return CREDENTIAL_FIELD.test(field);
}

export const REDACTED = "****";

export class Secrets {
  private readonly values = new Set<string>();
  private readonly envNames = new Set<string>();
  /** Every spelling to replace, longest first so a secret inside another is not left half-shown. */
  private spellings: string[] = [];

  /** Records a secret value; it is redacted however short. */
  add(value: string): void {
    if (value === "" || this.values.has(value)) return;
    this.values.add(value);
    this.spellings = [...new Set([...this.values].flatMap(spellingsOf))].sort((a, b) => b.length - a.length);
  }

  /** Records that environment variable `name` fed a credential, so templates may not render it. */
  addEnvName(name: string): void {
    this.envNames.add(name);
  }

  /**
   * The environment variables a model or hook may not
   * render: the prefixed ones and those feeding credentials.
   */
  secretEnvNames(): string[] {
    return [...this.envNames];
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.spellings) {
      if (!out.includes(s)) continue;
      out = s.length < SHORT ? out.replace(standingAlone(s), REDACTED) : out.split(s).join(REDACTED);
    }
    return out;
  }
}

/** Secrets shorter than this are redacted only where no letter or digit touches them. */
const SHORT = 4;

function standingAlone(s: string): RegExp {
  const escaped = s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, "gu");
}

/** True when environment variable `name` is a secret: prefixed, or feeding a credential (`known`). */
export function isSecretEnvName(name: string, known: readonly string[]): boolean {
  return name.startsWith(SECRET_ENV_PREFIX) || known.includes(name);
}

/** A value as it appears raw, inside a JSON string, inside a SQL string literal, and both. */
function spellingsOf(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const sql = value.replace(/'/g, "''");
  return [value, json, sql, JSON.stringify(sql).slice(1, -1)];
}
