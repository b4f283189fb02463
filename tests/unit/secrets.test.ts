import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import { ProjectError, formatDiagnostic } from "../../src/project/diagnostics.js";
import { loadProject } from "../../src/project/load.js";
import { Secrets } from "../../src/project/secrets.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

const PROFILE = `targets:
  prod:
    connections:
      mart:
        type: sqlserver
        host: "{{ env_var('SQL_HOST') }}"
        port: "{{ env_var('SQL_PORT') }}"
        database: "{{ env_var('SQL_DB') }}"
        user: "{{ env_var('SQL_USER') }}"
        password: "{{ env_var('SQL_PASSWORD') }}"
      lake:
        type: hive
        host: "{{ env_var('SLUICE_ENV_SECRET_LAKE_HOST') }}"
        auth: plain
        user: lake_user
        password: written-in-the-file
`;
const ENV = {
  SQL_HOST: "db.example.com",
  SQL_PORT: "1433",
  SQL_DB: "Mart",
  SQL_USER: "etl",
  SQL_PASSWORD: "7",
  SLUICE_ENV_SECRET_LAKE_HOST: "hidden.example.com",
};

function compileErrors(files: Record<string, string>): string[] {
  project = tempProject({ "profiles.yml": PROFILE, ...files });
  try {
    compileProject(loadProject({ projectDir: project.dir, env: ENV }));
  } catch (e) {
    if (e instanceof ProjectError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  throw new Error("expected the compile to fail");
}

describe("secrets", () => {
  it("treats credential fields and SLUICE_ENV_SECRET_* as secrets, and hosts, ports, databases, users as not", () => {
    project = tempProject({ "profiles.yml": PROFILE });
    const loaded = loadProject({ projectDir: project.dir, env: ENV });
    const text = "db.example.com:1433 Mart etl lake_user | 7 | hidden.example.com | written-in-the-file";
    expect(loaded.secrets.redact(text)).toBe("db.example.com:1433 Mart etl lake_user | **** | **** | ****");
  });

  it("keeps a digit-only password a string and reads a port given as text as a number", () => {
    project = tempProject({ "profiles.yml": PROFILE });
    const mart = loadProject({ projectDir: project.dir, env: { ...ENV, SQL_PASSWORD: "0042" } }).target
      .connections["mart"];
    expect(mart).toMatchObject({ type: "sqlserver", password: "0042", port: 1433 });
  });

  it("redacts a secret however short, raw, JSON-escaped and SQL-escaped", () => {
    const secrets = new Secrets();
    secrets.add("x");
    secrets.add(`it's "q"\\`);
    expect(secrets.redact("a x b")).toBe("a **** b");
    expect(secrets.redact("password=x;")).toBe("password=****;");
    // A one-letter secret inside words is left there: starring every x would make text unreadable.
    expect(secrets.redact("cannot connect to box.example")).toBe("cannot connect to box.example");
    expect(secrets.redact(`raw it's "q"\\ json ${JSON.stringify(`it's "q"\\`)} sql 'it''s "q"\\'`)).toBe(
      `raw **** json "****" sql '****'`,
    );
  });

  it("refuses a secret rendered into a model, naming the file and the call", () => {
    const errors = compileErrors({
      "models/a.sql": "select 1 as id,\n  '{{ env_var('SLUICE_ENV_SECRET_LAKE_HOST') }}' as h",
    });
    expect(errors).toEqual([
      "models/a.sql:2:7 error: env_var('SLUICE_ENV_SECRET_LAKE_HOST') is a secret and cannot be rendered into SQL; " +
        "read secrets in profiles.yml connection fields only; SQL is written to target/ and the docs",
    ]);
  });

  it("refuses a variable that feeds a credential in a hook, naming project.yml", () => {
    const errors = compileErrors({
      "project.yml":
        "name: p\non_run_start:\n  - connection: mart\n    sql: \"select '{{ env_var('SQL_PASSWORD') }}'\"\n",
      "models/a.sql": "select 1 as id",
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^project\.yml:\d+:\d+ error: on_run_start\[0\]: env_var\('SQL_PASSWORD'\) is a secret and cannot be rendered into SQL/,
    );
  });

  it("lets models read variables that are not secrets", () => {
    project = tempProject({
      "profiles.yml": PROFILE,
      "models/a.sql": "select '{{ env_var('SQL_USER') }}' as u",
    });
    const { manifest } = compileProject(loadProject({ projectDir: project.dir, env: ENV }));
    expect(manifest.nodes["model.a"]).toMatchObject({ compiledSql: "select 'etl' as u" });
  });
});
