import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice, sluiceAsync, type CliResult } from "../helpers/cli.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// Runs every command, in both log formats, on a target that works and on one whose server cannot
// be reached, with secrets that contain quotes and a backslash, then looks for each secret in
// every byte printed and every file under the project: raw, JSON-escaped and SQL-escaped.
// No backslash in the host: SQL Server reads `host\name` as a named instance on `host`.
const HOST = `h0st'with"quote-s3cr3t.invalid`;
const PASSWORD = `pa'ss"w\\rd-s3cr3t`;
const TOKEN = `t0ken'"\\s3cr3t`;
const ENV = {
  SLUICE_ENV_SECRET_HOST: HOST,
  SQL_PASSWORD: PASSWORD,
  SLUICE_ENV_SECRET_TOKEN: TOKEN,
  SQL_PORT: "1433",
  SQL_DB: "CoolWearMart",
  SQL_USER: "etl_user",
};
const server = `type: sqlserver
        host: "{{ env_var('SLUICE_ENV_SECRET_HOST') }}"
        port: "{{ env_var('SQL_PORT') }}"
        database: "{{ env_var('SQL_DB') }}"
        user: "{{ env_var('SQL_USER') }}"
        password: "{{ env_var('SQL_PASSWORD') }}"
        connect_timeout_ms: 3000
        max_retries: 0`;
const PROFILE = `targets:
  dev:
    default_connection: warehouse
    connections:
      warehouse: { type: duckdb, path: .sluice/warehouse.duckdb }
      crm:
        ${server}
  prod:
    default_connection: mart
    connections:
      mart:
        ${server}
      lake:
        type: hive
        host: 127.0.0.1
        port: 1
        auth: plain
        user: lake_user
        password: "{{ env_var('SLUICE_ENV_SECRET_TOKEN') }}"
        connect_timeout_ms: 3000
`;

function spellings(secret: string): string[] {
  const sql = secret.replace(/'/g, "''");
  return [secret, JSON.stringify(secret).slice(1, -1), sql, JSON.stringify(sql).slice(1, -1)];
}
const NEEDLES = [HOST, PASSWORD, TOKEN].flatMap(spellings).map((s) => Buffer.from(s));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}
function leaks(bytes: Buffer): string[] {
  return NEEDLES.filter((n) => bytes.includes(n)).map(String);
}

let project: TempProject;
beforeAll(() => {
  project = tempProject({
    "profiles.yml": PROFILE,
    "models/orders.sql":
      "{{ config(materialized='table') }}select 1 as id, '{{ env_var('SQL_USER') }}' as loaded_by",
    "models/schema.yml":
      "models:\n  - name: orders\n    columns:\n      - name: id\n        tests: [unique]\n",
    "seeds/codes.csv": "code\nA\n",
    "macros/noop.sql": "{% macro noop() %}select 1{% endmacro %}",
  });
});
afterAll(() => project.remove());

const COMMANDS: { args: string[]; connection?: boolean }[] = [
  { args: ["compile"] },
  { args: ["ls"] },
  { args: ["check"] },
  { args: ["plan"], connection: true },
  { args: ["seed"], connection: true },
  { args: ["run"], connection: true },
  { args: ["test"], connection: true },
  { args: ["build"], connection: true },
  { args: ["build", "--openlineage", "target/lineage.jsonl"], connection: true },
  { args: ["ledger", "show"], connection: true },
  { args: ["ledger", "compact"], connection: true },
  { args: ["run-operation", "noop", "--connection", "@"], connection: true },
  { args: ["debug"], connection: true },
  { args: ["docs", "generate"] },
];

const RUNS = ["dev", "prod"].flatMap((target) =>
  ["text", "json"].flatMap((format) =>
    COMMANDS.map(({ args }) => {
      const connection = target === "dev" ? "warehouse" : "mart";
      return [...args.map((a) => (a === "@" ? connection : a)), "--target", target, "--log-format", format];
    }),
  ),
);
const results = new Map<string, CliResult>();

describe("secrets stay secret", () => {
  it.each(RUNS.map((args) => [args.join(" "), args] as const))(
    "appear in no output of sluice %s",
    async (_name, args) => {
      const run = await sluiceAsync([...args, "--project-dir", project.dir], { env: ENV });
      results.set(args.join(" "), run);
      expect(leaks(Buffer.from(run.stdout + run.stderr))).toEqual([]);
      expect(run.stdout + run.stderr, "no stack trace").not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    },
  );

  it("appear in no file under the project after every command ran", () => {
    // This means something only if the commands got as far as the secrets: dev builds, prod fails
    // connecting to the secret host, and the redactor had to act.
    expect(results.size).toBe(RUNS.length);
    expect(results.get("build --target dev --log-format text")?.code).toBe(0);
    expect(results.get("build --target prod --log-format text")?.code).toBe(1);
    expect(results.get("build --target prod --log-format text")?.stdout).toContain(
      "getaddrinfo ENOTFOUND ****",
    );
    const files = filesUnder(project.dir);
    expect(files.some((f) => f.endsWith("manifest.json"))).toBe(true);
    expect(files.some((f) => f.endsWith("run_results.json"))).toBe(true);
    for (const file of files) expect(leaks(readFileSync(file)), file).toEqual([]);
  });

  it("shows hosts, ports, databases and users in debug, and secrets as ****", () => {
    const run = sluice(["debug", "--project-dir", project.dir, "--target", "prod"], { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "mart (sqlserver): FAILED (host=****, port=1433, database=CoolWearMart, user=etl_user), ",
    );
    expect(run.stdout).toContain(
      "lake (hive): FAILED (host=127.0.0.1, port=1, database=default, user=lake_user, transport=binary, auth=plain), ",
    );
  });
});
