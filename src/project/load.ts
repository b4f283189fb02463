// Loads a project from disk: project.yml, profiles.yml, the model, macro, test and seed files, and
// the property YAML beside models. Reads files only; compiling is the compiler's job.
import { readDbtSnapshots, type SnapshotConfig } from "./dbt-snapshots.js";
import { randomUUID } from "node:crypto";
import { basename, extname, join, relative, sep } from "node:path";
import nunjucks from "nunjucks";
import { isMap, isPair, isScalar, parseDocument, visit, type Document, type Scalar } from "yaml";
import { Diagnostics, ProjectError, didYouMean, type Diagnostic } from "./diagnostics.js";
import { configFromTree, normalizeModelConfig, normalizeSeedConfig } from "./dbt-config.js";
import { DBT_PROJECT_FILE, readDbtProject, type DbtSettings } from "./dbt-project.js";
import { dbtProfilesCandidates, readDbtProfile } from "./dbt-profiles.js";
import { InputFiles } from "./input-files.js";
import { type DbtPropertiesFile, readDbtProperties } from "./dbt-properties.js";
import { PropertiesCache } from "./properties-cache.js";
import { PropertiesFile, ProfilesFile, ProjectFile, TargetConfig } from "./schema.js";
import { isCredentialField, isSecretEnvName, Secrets } from "./secrets.js";
import { parseYaml, type Salvage } from "./yaml-file.js";

export interface ProjectFileText {
  /** Path relative to the project directory, with forward slashes. */
  path: string;
  text: string;
  /** For a dbt project's macros: the package (the project itself, or an installed package) they belong to. */
  package?: string;
}

export interface ModelFile extends ProjectFileText {
  name: string;
  /** Folder under its model path, e.g. `marts/finance`; empty at the top. */
  folder: string;
  /** A dbt project's config for this file from dbt_project.yml, in sluice's keys (see dbt-config.ts). */
  defaults?: Record<string, unknown>;
  /** For a dbt snapshot: its snapshot keys from dbt_project.yml, and its config once compiled. */
  snapshot?: { tree: Record<string, unknown>; resolved?: SnapshotConfig };
}

export interface SeedFile {
  name: string;
  path: string;
  /** A dbt project's config for this seed from dbt_project.yml. */
  defaults?: Record<string, unknown>;
}

/** What a project read from dbt's files carries beyond a sluice project. */
export interface DbtProject extends DbtSettings {
  /** The profile's one connection, where every model, seed and source of the project lives. */
  connection: string;
  /** The connection's default schema: dbt's `target.schema`. */
  targetSchema: string;
}

export interface LoadOptions {
  projectDir: string;
  target?: string;
  /** Directory holding profiles.yml; defaults to the project directory. */
  profilesDir?: string;
  /** Values given with --vars, overriding project vars. */
  vars?: Record<string, unknown>;
  /** Environment for env_var(); defaults to process.env. */
  env?: Record<string, string | undefined>;
  /**
   * Return the project despite errors in its YAML (in `loadErrors`, with what they left out in
   * `gaps`) for the compiler to report with its own, so one run shows every problem. Without it a
   * load with errors throws them all. Only a command that compiles may set it: the compiler is what
   * refuses a project that has load errors.
   */
  deferErrors?: boolean;
}

/** What load errors left out of a project returned with them (see LoadOptions.deferErrors). */
export interface LoadGaps {
  /** No target could be read from profiles.yml: nothing can be compiled. */
  target: boolean;
  /** Two files give a node the same name: the graph would be ambiguous, so nothing is compiled. */
  duplicateNames: boolean;
  /** Connections of the target left out because their entry in profiles.yml is wrong. */
  connections: string[];
  /** Sources whose YAML entry, or whole property file, was left out: a source() of one is no new error. */
  sources: string[];
}

export interface Project {
  dir: string;
  config: ProjectFile;
  targetName: string;
  target: TargetConfig;
  vars: Record<string, unknown>;
  models: ModelFile[];
  macros: ProjectFileText[];
  singularTests: ModelFile[];
  seeds: SeedFile[];
  properties: { path: string; text: string; content: DbtPropertiesFile }[];
  secrets: Secrets;
  env: Record<string, string | undefined>;
  /** Set when the project was read from dbt_project.yml. */
  dbt?: DbtProject;
  /** Problems that do not stop a compile (keys dbt knows and sluice ignores), reported with it. */
  warnings: Diagnostic[];
  /** Errors found while loading, when LoadOptions.deferErrors asked for the project anyway. */
  loadErrors?: Diagnostic[];
  gaps?: LoadGaps;
  /** The files and folders the load read or looked for (a project made in memory has none). */
  inputs?: InputFiles;
}

/**
 * Loads everything a compile needs, reading on past a wrong file or entry; throws a ProjectError
 * listing every problem found (unless deferErrors). An unreadable project file is fatal at once.
 */
export function loadProject(options: LoadOptions): Project {
  const dir = options.projectDir;
  const diagnostics = new Diagnostics();
  const gaps: LoadGaps = { target: false, duplicateNames: false, connections: [], sources: [] };
  const inputs = new InputFiles();
  // run_started_at and invocation_id are fixed here, once per compile, so every thread renders the
  // same; setting SLUICE_RUN_STARTED_AT pins the clock (tests, reproducible builds).
  const given = options.env ?? process.env;
  const env = {
    ...given,
    SLUICE_RUN_STARTED_AT: given["SLUICE_RUN_STARTED_AT"] || new Date().toISOString(),
    SLUICE_INVOCATION_ID: given["SLUICE_INVOCATION_ID"] || randomUUID(),
  };
  const projectPath = join(dir, "project.yml");
  const dbtPath = join(dir, DBT_PROJECT_FILE);
  const hasProjectFile = inputs.exists(projectPath);
  const isDbt = !hasProjectFile && inputs.exists(dbtPath);
  if (!hasProjectFile && !isDbt) {
    diagnostics.error(
      "project.yml",
      1,
      1,
      `no project.yml or dbt_project.yml in ${dir}`,
      "run `sluice init` or pass --project-dir",
    );
    diagnostics.throwIfErrors();
  }
  let dbtSettings: DbtSettings | undefined;
  let config: ProjectFile | undefined;
  if (isDbt) {
    const read = readDbtProject(inputs.read(dbtPath), env, diagnostics, options.vars);
    config = read?.config;
    dbtSettings = read?.dbt;
    diagnostics.throwIfErrors();
  } else {
    // A wrong key is left out (its default applies) so the rest of the project is still read.
    const text = inputs.read(projectPath);
    config = parseYaml("project.yml", text, ProjectFile, diagnostics, undefined, { dropped: [] });
  }
  if (!config) diagnostics.throwIfErrors();
  const project = config!;

  const secrets = new Secrets();
  let dbt: DbtProject | undefined;
  let targetName: string;
  let target: TargetConfig;
  if (dbtSettings) {
    ({ targetName, target, dbt } = loadDbtTarget(options, dbtSettings, env, secrets, diagnostics, inputs));
    project.on_run_start = dbt.onRunStart.map((sql) => ({ connection: dbt!.connection, sql }));
    project.on_run_end = dbt.onRunEnd.map((sql) => ({ connection: dbt!.connection, sql }));
  } else {
    const loaded = loadTarget(options, project, env, secrets, diagnostics, inputs, gaps);
    targetName = loaded?.targetName ?? options.target ?? project.default_target ?? "dev";
    target = loaded?.target ?? TargetConfig.parse({ connections: {} });
    gaps.target = loaded === undefined;
  }

  // Each folder is listed once, however many kinds of file are read from it.
  const listings = new Map<string, string[]>();
  const list = (roots: string[], extension: string) => listFiles(dir, roots, extension, listings, inputs);
  const models = list(project.model_paths, ".sql").map(toModelFile);
  const macros = list(project.macro_paths, ".sql");
  let singularTests = list(project.test_paths, ".sql").map(toModelFile);
  if (dbt) {
    // dbt reads tests/generic/ as macros: the {% test %} blocks of generic tests.
    macros.push(...singularTests.filter((t) => t.folder === "generic" || t.folder.startsWith("generic/")));
    singularTests = singularTests.filter((t) => !(t.folder === "generic" || t.folder.startsWith("generic/")));
  }
  const seeds: SeedFile[] = list(project.seed_paths, ".csv").map((f) => ({
    name: basename(f.path, ".csv"),
    path: f.path,
  }));
  const yamlRoots = dbt
    ? [...project.model_paths, ...project.seed_paths, ...project.test_paths, ...project.macro_paths]
    : [...project.model_paths];
  const yamlFiles = [
    ...list(yamlRoots, ".yml"),
    ...list(yamlRoots, ".yaml"),
    ...(dbt ? [] : list(project.seed_paths, ".yml")),
  ];
  const parsed = PropertiesCache.open(join(dir, project.target_path, "cache", "properties.bin"));
  const properties = yamlFiles
    .map((f) => {
      const defaults = dbt ? testDefaults(dbt, f.path) : null;
      const salvage: Salvage = { dropped: [] };
      const errorsBefore = diagnostics.items.length;
      const content = parsed.read(
        { path: f.path, text: f.text, context: defaults },
        () =>
          defaults
            ? readDbtProperties(f.path, f.text, defaults, diagnostics)
            : parseYaml(f.path, f.text, PropertiesFile, diagnostics, undefined, salvage),
        diagnostics,
      );
      if (diagnostics.items.slice(errorsBefore).some((d) => d.severity === "error"))
        gaps.sources.push(...sourcesLeftOut(f.text, content, salvage));
      return { ...f, content };
    })
    .filter((f): f is { path: string; text: string; content: DbtPropertiesFile } => f.content !== undefined);
  parsed.save();
  if (dbt) {
    applyDbtTrees(dbt, models, seeds, diagnostics);
    models.push(...readDbtSnapshots(dbt, list(dbt.snapshotPaths, ".sql"), diagnostics));
    for (const m of macros) m.package = dbt.projectName;
    // Package macros come first, so a root project macro of the same name is the one its bare name calls.
    macros.unshift(...loadDbtPackages(dir, dbt, env, diagnostics, inputs));
  }

  const seen = new Map<string, string>();
  for (const m of [...models, ...seeds]) {
    const other = seen.get(m.name);
    if (other) {
      diagnostics.error(m.path, 1, 1, `two nodes are named '${m.name}' (also ${other})`, "rename one file");
      gaps.duplicateNames = true;
    }
    seen.set(m.name, m.path);
  }
  if (!options.deferErrors) diagnostics.throwIfErrors();
  return {
    dir,
    config: project,
    targetName,
    target,
    vars: { ...project.vars, ...(options.vars ?? {}) },
    models,
    macros,
    singularTests,
    seeds,
    properties,
    secrets,
    env,
    dbt,
    warnings: diagnostics.items.filter((d) => d.severity === "warning"),
    loadErrors: diagnostics.items.filter((d) => d.severity === "error"),
    gaps,
    inputs,
  };
}

/**
 * The sources a property file with errors declared that did not load whole: those of the entries
 * its salvage cut into, or every one it names when nothing of it could be used.
 */
function sourcesLeftOut(text: string, content: unknown, salvage: Salvage): string[] {
  const namesIn = (list: unknown) =>
    (Array.isArray(list) ? list : [])
      .map((s) => (s && typeof s === "object" ? (s as { name?: unknown }).name : undefined))
      .filter((n): n is string => typeof n === "string");
  if (content === undefined) {
    let readable = salvage.unparsed;
    if (readable === undefined) {
      try {
        readable = parseDocument(text).toJS();
      } catch {
        return [];
      }
    }
    return namesIn((readable as { sources?: unknown } | null)?.sources);
  }
  return salvage.dropped.flatMap(({ path, along }) => {
    if (path[0] !== "sources") return [];
    return path.length === 1 ? namesIn(along[1]) : namesIn([along[2]]);
  });
}

/**
 * The macros of the dbt packages a project uses: `local:` entries of packages.yml (or
 * dependencies.yml) read where they are, and every package `dbt deps` installed under
 * packages-install-path, used as it is. Their models are not built.
 */
function loadDbtPackages(
  dir: string,
  dbt: DbtProject,
  env: Record<string, string | undefined>,
  diagnostics: Diagnostics,
  inputs: InputFiles,
): ProjectFileText[] {
  const roots: string[] = [];
  let wantsInstalled = false;
  for (const file of ["packages.yml", "dependencies.yml"]) {
    const path = join(dir, file);
    if (!inputs.exists(path)) continue;
    const doc = parseDocument(inputs.read(path));
    const entries = (doc.toJS() as { packages?: unknown } | null)?.packages;
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (entry && typeof entry === "object" && typeof (entry as { local?: unknown }).local === "string")
        roots.push((entry as { local: string }).local);
      else if (entry && typeof entry === "object") wantsInstalled = true;
    }
  }
  const installed = join(dir, dbt.packagesPath);
  if (inputs.exists(installed)) {
    for (const name of inputs.list(installed, false)) {
      const root = join(dbt.packagesPath, name);
      if (inputs.exists(join(dir, root, DBT_PROJECT_FILE)) && !roots.some((r) => join(r) === root))
        roots.push(root);
    }
  } else if (wantsInstalled) {
    diagnostics.error(
      "packages.yml",
      1,
      1,
      `packages are listed but ${dbt.packagesPath}/ does not exist`,
      "install them with `dbt deps` (sluice uses dbt_packages/ as it is), or list local: packages",
    );
    return [];
  }
  const out: ProjectFileText[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    const projectFile = join(dir, root, DBT_PROJECT_FILE);
    if (!inputs.exists(projectFile)) {
      diagnostics.error(
        "packages.yml",
        1,
        1,
        `package at '${root}' has no dbt_project.yml`,
        "point local: at a dbt package's folder",
      );
      continue;
    }
    const quiet = new Diagnostics();
    const read = readDbtProject(inputs.read(projectFile), env, quiet);
    diagnostics.items.push(
      ...quiet.items
        .filter((d) => d.severity === "error")
        .map((d) => ({ ...d, file: join(root, d.file).split(sep).join("/") })),
    );
    if (!read || seen.has(read.dbt.projectName) || read.dbt.projectName === dbt.projectName) continue;
    seen.add(read.dbt.projectName);
    const at = (paths: string[]) => paths.map((p) => join(root, p).split(sep).join("/"));
    const files = listFiles(dir, at(read.config.macro_paths), ".sql", new Map(), inputs);
    const tests = listFiles(
      dir,
      at(read.config.test_paths.map((p) => `${p}/generic`)),
      ".sql",
      new Map(),
      inputs,
    );
    for (const f of [...files, ...tests]) out.push({ ...f, package: read.dbt.projectName });
    if (listFiles(dir, at(read.config.model_paths), ".sql", new Map(), inputs).length > 0) {
      diagnostics.warn(
        "packages.yml",
        1,
        1,
        `the models of package '${read.dbt.projectName}' are ` +
          `not built: sluice reads packages' macros only, so far`,
      );
    }
  }
  return out;
}

/** The config each model and seed gets from dbt_project.yml's trees, by its fqn. */
function applyDbtTrees(
  dbt: DbtProject,
  models: ModelFile[],
  seeds: SeedFile[],
  diagnostics: Diagnostics,
): void {
  for (const m of models) {
    const normalized = normalizeModelConfig(
      configFromTree(dbt.trees.models, [dbt.projectName, ...splitFolder(m.folder), m.name]),
    );
    for (const { key, why } of normalized.ignored)
      diagnostics.warn(DBT_PROJECT_FILE, 1, 1, `${m.name}: config '${key}' is ignored: ${why}`);
    if (normalized.unsupportedMaterialization)
      normalized.config["materialized"] = normalized.unsupportedMaterialization;
    m.defaults = normalized.config;
  }
  for (const s of seeds) {
    const folders = splitFolder(s.path.split("/").slice(1, -1).join("/"));
    const normalized = normalizeSeedConfig(
      configFromTree(dbt.trees.seeds, [dbt.projectName, ...folders, s.name]),
    );
    for (const { key, why } of normalized.ignored)
      diagnostics.warn(DBT_PROJECT_FILE, 1, 1, `${s.name}: config '${key}' is ignored: ${why}`);
    s.defaults = normalized.config;
  }
}

/** dbt_project.yml's `data_tests:` config for the tests a property file declares, by its folder. */
function testDefaults(dbt: DbtSettings, path: string): Record<string, unknown> {
  const folders = splitFolder(path.split("/").slice(1, -1).join("/"));
  const config = configFromTree(dbt.trees.tests, [dbt.projectName, ...folders]);
  return Object.fromEntries(
    Object.entries(config).filter(([k]) =>
      [
        "severity",
        "where",
        "error_if",
        "warn_if",
        "tags",
        "enabled",
        "store_failures",
        "store_failures_as",
        "schema",
        "limit",
        "fail_calc",
        "meta",
      ].includes(k),
    ),
  );
}

function splitFolder(folder: string): string[] {
  return folder === "" ? [] : folder.split("/");
}

/** The target of a dbt project: from dbt's profiles.yml, or from a sluice profiles.yml beside it. */
function loadDbtTarget(
  options: LoadOptions,
  settings: DbtSettings,
  env: Record<string, string | undefined>,
  secrets: Secrets,
  diagnostics: Diagnostics,
  inputs: InputFiles,
): { targetName: string; target: TargetConfig; dbt: DbtProject } {
  const candidates = dbtProfilesCandidates(options.projectDir, options.profilesDir, env);
  // The first that exists; every one looked at before it counts, as one created later comes first.
  const found = candidates.find((p) => inputs.exists(p));
  if (!found) {
    diagnostics.error(
      "profiles.yml",
      1,
      1,
      `no profiles.yml found (looked ` +
        `in ${candidates.map((c) => relative(options.projectDir, c) || c).join(", ")})`,
      `create one with a profile '${settings.profile}', or pass --profiles-dir`,
    );
    throw new ProjectError(diagnostics.items);
  }
  const shown = relative(options.projectDir, found) || "profiles.yml";
  const raw = inputs.read(found);
  const isSluiceFormat = isMap(parseDocument(raw).get("targets"));
  let targetName: string;
  let target: TargetConfig;
  let connection: string;
  if (isSluiceFormat) {
    const loaded = loadTarget(
      { ...options, profilesDir: found.slice(0, -"/profiles.yml".length) },
      ProjectFile.parse({ name: settings.projectName }),
      env,
      secrets,
      diagnostics,
      inputs,
    );
    // A dbt project reads its one connection from this target: with any part of it wrong, stop here.
    if (!loaded || diagnostics.hasErrors)
      throw new ProjectError(diagnostics.items.filter((d) => d.severity === "error"));
    ({ targetName, target } = loaded);
    connection = target.default_connection ?? Object.keys(target.connections)[0]!;
  } else {
    const read = readDbtProfile(
      shown,
      raw,
      settings.profile,
      options.target,
      (v, field) => renderProfileValue(v, env, secrets, isCredentialField(field)),
      diagnostics,
    );
    diagnostics.throwIfErrors();
    if (!read) throw new ProjectError(diagnostics.items);
    ({ targetName, target, connection } = read);
  }
  const config = target.connections[connection]!;
  const targetSchema = config.type === "hive" || config.type === "mysql" ? config.database : config.schema;
  return { targetName, target, dbt: { ...settings, connection, targetSchema } };
}

function loadTarget(
  options: LoadOptions,
  project: ProjectFile,
  env: Record<string, string | undefined>,
  secrets: Secrets,
  diagnostics: Diagnostics,
  inputs: InputFiles,
  gaps?: LoadGaps,
): { targetName: string; target: TargetConfig } | undefined {
  const profilesDir = options.profilesDir ?? env["SLUICE_PROFILES_DIR"] ?? options.projectDir;
  const profilesPath = join(profilesDir, "profiles.yml");
  const shown = relative(options.projectDir, profilesPath) || "profiles.yml";
  if (!inputs.exists(profilesPath)) {
    diagnostics.error(
      shown,
      1,
      1,
      "no profiles.yml found",
      "create one with `sluice init` or pass --profiles-dir",
    );
    return undefined;
  }
  const raw = inputs.read(profilesPath);
  let targetName = options.target;
  const renderTarget = (doc: Document) => {
    const targets = doc.get("targets");
    if (!isMap(targets)) return;
    const names = targets.items.map((pair) => String((pair.key as Scalar).value));
    targetName ??=
      (doc.get("default_target") as string | undefined) ?? project.default_target ?? names[0] ?? "dev";
    // Only the chosen target is rendered and validated: another target's env vars need not be set.
    for (const name of names) if (name !== targetName) targets.delete(name);
    visit(targets, {
      Scalar(_key, node, path) {
        const parent = path[path.length - 1];
        const field =
          isPair(parent) && parent.value === node && isScalar(parent.key) ? String(parent.key.value) : "";
        // A credential written in the file is as secret as one read from the environment.
        if (isCredentialField(field) && node.value !== null && node.value !== undefined)
          secrets.add(String(node.value));
        if (typeof node.value !== "string" || !node.value.includes("{{")) return;
        try {
          // Values stay strings (a digit-only password is a password); the schema reads numbers from them.
          node.value = renderProfileValue(node.value, env, secrets, isCredentialField(field));
        } catch (e) {
          const pos = lineCounter(raw, node.range?.[0] ?? 0);
          diagnostics.error(
            shown,
            pos.line,
            pos.col,
            templateErrorPosition(e).message,
            "set the environment variable or give env_var() a default",
          );
        }
      },
    });
  };
  // A wrong connection entry is left out, so models on the other connections still compile.
  const salvage: Salvage = { dropped: [] };
  const profiles = parseYaml(shown, raw, ProfilesFile, diagnostics, renderTarget, salvage);
  if (!profiles) return undefined;
  const target = profiles.targets[targetName!];
  let targetLost = false;
  const lost = new Set<string>();
  for (const { path } of salvage.dropped) {
    if (path[0] !== "targets") continue;
    if (path.length < 3 || (path[2] === "connections" && path.length === 3)) targetLost = true;
    else if (path[2] === "connections" && !(String(path[3]) in (target?.connections ?? {})))
      lost.add(String(path[3]));
  }
  gaps?.connections.push(...lost);
  if (targetLost || (target && Object.keys(target.connections).length === 0 && lost.size > 0))
    return undefined;
  if (!target) {
    const defined = yamlTargetNames(raw);
    diagnostics.error(
      shown,
      1,
      1,
      `target '${targetName}' is not defined`,
      didYouMean(targetName!, defined) ?? `defined: ${defined.join(", ")}`,
    );
    return undefined;
  }
  return { targetName: targetName!, target };
}

/**
 * A profile value may use env_var('NAME', default) only. What it reads is a secret when the field
 * is a credential or the variable is named SLUICE_ENV_SECRET_*.
 */
function renderProfileValue(
  text: string,
  env: Record<string, string | undefined>,
  secrets: Secrets,
  credential: boolean,
): string {
  const renderer = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  return renderer.renderString(text, {
    env_var: (name: string, fallback?: string) => {
      const value = env[name] ?? fallback;
      if (value === undefined) throw new Error(`environment variable '${name}' is not set`);
      if (credential) secrets.addEnvName(name);
      if (credential || isSecretEnvName(name, [])) secrets.add(value);
      return value;
    },
  });
}

function lineCounter(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: (before[before.length - 1]?.length ?? 0) + 1 };
}

function yamlTargetNames(text: string): string[] {
  const targets = parseDocument(text).get("targets");
  return isMap(targets) ? targets.items.map((pair) => String((pair.key as Scalar).value)) : [];
}

/** Line and column of a nunjucks error, parsed from its message ("(unknown path) [Line 3, Column 5]"). */
export function templateErrorPosition(e: unknown): { line: number; column: number; message: string } {
  const text = e instanceof Error ? e.message : String(e);
  const m = /\[Line (\d+), Column (\d+)\]/.exec(text);
  const message = text
    .replace(/^\(.*?\)\s*(\[Line \d+, Column \d+\])?\s*/s, "")
    .replace(/\s+/g, " ")
    .replace(/^Error: /, "")
    .trim();
  // Parse errors carry their 1-based position as fields; runtime errors put it in the message.
  const fields = e as { lineno?: unknown; colno?: unknown } | null;
  const line = m ? Number(m[1]) : typeof fields?.lineno === "number" ? fields.lineno : 1;
  const column = m ? Number(m[2]) : typeof fields?.colno === "number" ? fields.colno : 1;
  return { line, column, message };
}

function listFiles(
  dir: string,
  roots: string[],
  extension: string,
  listings: Map<string, string[]>,
  inputs: InputFiles,
): ProjectFileText[] {
  const out: ProjectFileText[] = [];
  for (const root of roots) {
    const absolute = join(dir, root);
    let entries = listings.get(absolute);
    if (!entries) {
      if (!inputs.exists(absolute)) continue;
      entries = inputs.list(absolute, true);
      listings.set(absolute, entries);
    }
    for (const entry of entries) {
      if (extname(entry) !== extension) continue;
      const path = join(root, entry).split(sep).join("/");
      const text = extension === ".csv" ? "" : inputs.read(join(absolute, entry));
      out.push({ path, text });
    }
  }
  return out;
}

function toModelFile(f: ProjectFileText): ModelFile {
  const parts = f.path.split("/");
  return { ...f, name: basename(f.path, ".sql"), folder: parts.slice(1, -1).join("/") };
}
