// Reads dbt's profiles.yml (profile → target → outputs) into a sluice target with one connection:
// type duckdb becomes sluice's DuckDB connection on the same file, sqlserver and spark/hive the
// matching adapters. The connection is named after the database, as dbt names `this.database`.
import { homedir } from "node:os";
import { basename, extname, join } from "node:path";
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Scalar } from "yaml";
import { didYouMean, type Diagnostics } from "./diagnostics.js";
import { TargetConfig } from "./schema.js";
import { isCredentialField } from "./secrets.js";

/** Where dbt looks for profiles.yml: --profiles-dir, DBT_PROFILES_DIR, the project, then ~/.dbt. */
export function dbtProfilesCandidates(
  projectDir: string,
  given: string | undefined,
  env: Record<string, string | undefined>,
): string[] {
  if (given) return [join(given, "profiles.yml")];
  const dirs = [
    env["DBT_PROFILES_DIR"],
    env["SLUICE_PROFILES_DIR"],
    projectDir,
    join(env["HOME"] ?? homedir(), ".dbt"),
  ];
  return dirs
    .filter((d): d is string => typeof d === "string" && d !== "")
    .map((d) => join(d, "profiles.yml"));
}

export interface DbtTarget {
  targetName: string;
  target: TargetConfig;
  /** The connection every model of the project lives on. */
  connection: string;
}

/**
 * The chosen target of `profile` in a dbt profiles.yml text. `renderValue` renders `{{ env_var() }}`
 * values (and records secrets); only the chosen output is rendered, as only it is used.
 */
export function readDbtProfile(
  shown: string,
  text: string,
  profile: string,
  wanted: string | undefined,
  /** Renders `{{ env_var() }}` in the value of `field` (a credential field's value is a secret). */
  renderValue: (value: string, field: string) => string,
  diagnostics: Diagnostics,
): DbtTarget | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  for (const error of doc.errors) {
    const pos = lines.linePos(error.pos[0]);
    diagnostics.error(
      shown,
      pos.line,
      pos.col,
      `invalid YAML: ${error.message.split("\n")[0]}`,
      "fix the YAML syntax",
    );
  }
  if (doc.errors.length > 0) return undefined;
  const profiles = (doc.toJS() ?? {}) as Record<string, unknown>;
  const entry = profiles[profile] as { target?: unknown; outputs?: Record<string, unknown> } | undefined;
  if (!entry || typeof entry !== "object") {
    const names = Object.keys(profiles).filter((k) => k !== "config");
    diagnostics.error(
      shown,
      1,
      1,
      `profile '${profile}' (named by dbt_project.yml) is not in ${shown}`,
      didYouMean(profile, names) ?? `profiles: ${names.join(", ") || "none"}`,
    );
    return undefined;
  }
  const outputs = entry.outputs ?? {};
  const rendered = (v: unknown) => (typeof v === "string" && v.includes("{{") ? renderValue(v, "target") : v);
  const targetName = wanted ?? String(rendered(entry.target) ?? Object.keys(outputs)[0] ?? "dev");
  const node = doc.getIn([profile, "outputs", targetName], true);
  const output = outputs[targetName] as Record<string, unknown> | undefined;
  if (!output || typeof output !== "object") {
    diagnostics.error(
      shown,
      1,
      1,
      `target '${targetName}' is not an output of profile '${profile}'`,
      didYouMean(targetName, Object.keys(outputs)) ?? `outputs: ${Object.keys(outputs).join(", ")}`,
    );
    return undefined;
  }
  const pos = lines.linePos((node as { range?: number[] } | undefined)?.range?.[0] ?? 0);
  const values: Record<string, unknown> = {};
  try {
    if (isMap(node)) {
      visit(node, {
        Scalar(_key, scalar: Scalar, path) {
          if (typeof scalar.value === "string" && scalar.value.includes("{{")) {
            const parent = path.at(-1);
            const field = isPair(parent) && isScalar(parent.key) ? String(parent.key.value) : "";
            const out = renderValue(scalar.value, field);
            // Digits stay text in a credential (a numeric password is a password, not a number).
            scalar.value = /^\d+$/.test(out) && !isCredentialField(field) ? Number(out) : out;
          }
        },
      });
    }
    Object.assign(values, (node as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? output);
  } catch (e) {
    diagnostics.error(
      shown,
      pos.line,
      pos.col,
      e instanceof Error ? e.message : String(e),
      "set the environment variable or give env_var() a default",
    );
    return undefined;
  }
  const converted = toConnection(values);
  if ("error" in converted) {
    diagnostics.error(
      shown,
      pos.line,
      pos.col,
      `output '${targetName}' of profile '${profile}': ${converted.error}`,
      converted.hint,
    );
    return undefined;
  }
  for (const key of converted.ignored)
    diagnostics.warn(shown, pos.line, pos.col, `output '${targetName}': '${key}' is ignored by sluice`);
  const threads = typeof values["threads"] === "number" && values["threads"] > 0 ? values["threads"] : 4;
  const parsed = TargetConfig.safeParse({
    connections: { [converted.name]: converted.connection },
    default_connection: converted.name,
    threads,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      diagnostics.error(
        shown,
        pos.line,
        pos.col,
        `output '${targetName}': ${issue.path.slice(2).join(".") || "connection"}: ${issue.message}`,
      );
    return undefined;
  }
  return { targetName, target: parsed.data, connection: converted.name };
}

type Converted =
  | { name: string; connection: Record<string, unknown>; ignored: string[] }
  | { error: string; hint: string };

/** A dbt output as a sluice connection, with the keys that have no sluice equivalent. */
function toConnection(o: Record<string, unknown>): Converted {
  const type = String(o["type"] ?? "");
  const used = new Set(["type", "threads"]);
  const take = (...keys: string[]) => {
    for (const k of keys) used.add(k);
    for (const k of keys) if (o[k] !== undefined) return o[k];
    return undefined;
  };
  const rest = () => Object.keys(o).filter((k) => !used.has(k));
  if (type === "duckdb") {
    const path = String(take("path") ?? ":memory:");
    const name = String(take("database") ?? (path === ":memory:" ? "memory" : basename(path, extname(path))));
    const settings = take("settings") as Record<string, unknown> | undefined;
    const connection: Record<string, unknown> = {
      type: "duckdb",
      path,
      schema: String(take("schema") ?? "main"),
    };
    if (settings?.["memory_limit"] !== undefined)
      connection["memory_limit"] = String(settings["memory_limit"]);
    // A DuckDB extension list is ignored, not refused: the npm build bundles parquet, json and icu.
    return { name: connectionName(name), connection, ignored: rest() };
  }
  if (type === "sqlserver") {
    const connection: Record<string, unknown> = {
      type: "sqlserver",
      host: take("server", "host"),
      database: take("database"),
      schema: take("schema") ?? "dbo",
      user: take("user", "username", "UID"),
      password: take("password", "PWD"),
    };
    const port = take("port");
    if (port !== undefined) connection["port"] = Number(port);
    const encrypt = take("encrypt");
    if (encrypt !== undefined)
      connection["encrypt"] = encrypt === true || encrypt === "true" || encrypt === "yes";
    const trust = take("trust_cert", "TrustServerCertificate");
    if (trust !== undefined)
      connection["trust_server_certificate"] = trust === true || trust === "true" || trust === "yes";
    const auth = take("authentication");
    if (auth !== undefined && String(auth).toLowerCase() !== "sql")
      return {
        error: `authentication '${String(auth)}' is not supported`,
        hint: "use a SQL login (user and password)",
      };
    take("driver", "windows_login");
    return {
      name: connectionName(String(connection["database"] ?? "sqlserver")),
      connection: dropUndefined(connection),
      ignored: rest(),
    };
  }
  if (type === "spark" || type === "hive") {
    const method = String(take("method") ?? (take("use_http_transport") === true ? "http" : "thrift"));
    if (method !== "thrift" && method !== "http")
      return {
        error: `method '${method}' is not supported`,
        hint: "connect through the Thrift server (method: thrift or http)",
      };
    const auth = String(take("auth", "auth_type") ?? (type === "hive" ? "insecure" : "NONE")).toUpperCase();
    const mapped =
      auth === "NOSASL"
        ? "nosasl"
        : auth === "NONE" || auth === "INSECURE"
          ? "none"
          : auth === "LDAP" || auth === "CUSTOM" || auth === "PLAIN"
            ? "plain"
            : undefined;
    if (!mapped)
      return {
        error: `auth '${auth}' is not supported`,
        hint: "use NOSASL, NONE or LDAP (user and password)",
      };
    const schema = take("schema", "database");
    const connection: Record<string, unknown> = {
      type: "hive",
      host: take("host"),
      database: schema ?? "default",
      transport: method === "http" ? "http" : "binary",
      auth: mapped,
      user: take("user", "username"),
      password: take("password", "token"),
    };
    const port = take("port");
    if (port !== undefined) connection["port"] = Number(port);
    const httpPath = take("http_path");
    if (httpPath !== undefined) connection["http_path"] = String(httpPath).replace(/^\//, "");
    take("connect_retries", "connect_timeout");
    return {
      name: connectionName(String(schema ?? "default")),
      connection: dropUndefined(connection),
      ignored: rest(),
    };
  }
  return {
    error: `type '${type}' has no sluice adapter`,
    hint: "sluice connects to duckdb, sqlserver and spark/hive",
  };
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** A connection name usable as a DuckDB catalog alias. */
function connectionName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `db_${cleaned}`;
}
