// Loads a project from disk: project.yml, profiles.yml, the model, macro, test and seed files, and
// the property YAML beside models. Reads files only; compiling is the compiler's job.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, extname, join, relative, sep } from "node:path";
import nunjucks from "nunjucks";
import { isMap, isPair, isScalar, parseDocument, visit, type Document, type Scalar } from "yaml";
import { Diagnostics, ProjectError, didYouMean } from "./diagnostics.js";
import { PropertiesFile, ProfilesFile, ProjectFile, type TargetConfig } from "./schema.js";
import { isCredentialField, isSecretEnvName, Secrets } from "./secrets.js";
import { parseYaml } from "./yaml-file.js";

export interface ProjectFileText {
  /** Path relative to the project directory, with forward slashes. */
  path: string;
  text: string;
}

export interface ModelFile extends ProjectFileText {
  name: string;
  /** Folder under its model path, e.g. `marts/finance`; empty at the top. */
  folder: string;
}

export interface SeedFile {
  name: string;
  path: string;
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
  properties: { path: string; text: string; content: PropertiesFile }[];
  secrets: Secrets;
  env: Record<string, string | undefined>;
}

/** Loads everything a compile needs; throws a ProjectError listing every problem found. */
export function loadProject(options: LoadOptions): Project {
  const dir = options.projectDir;
  const diagnostics = new Diagnostics();
  const env = options.env ?? process.env;
  const projectPath = join(dir, "project.yml");
  if (!existsSync(projectPath)) {
    diagnostics.error("project.yml", 1, 1, `no project.yml in ${dir}`, "run `sluice init` or pass --project-dir");
    diagnostics.throwIfErrors();
  }
  const config = parseYaml("project.yml", readFileSync(projectPath, "utf8"), ProjectFile, diagnostics);
  diagnostics.throwIfErrors();
  const project = config!;

  const secrets = new Secrets();
  const { targetName, target } = loadTarget(options, project, env, secrets, diagnostics);

  // Each folder is listed once, however many kinds of file are read from it.
  const listings = new Map<string, string[]>();
  const list = (roots: string[], extension: string) => listFiles(dir, roots, extension, listings);
  const models = list(project.model_paths, ".sql").map(toModelFile);
  const macros = list(project.macro_paths, ".sql");
  const singularTests = list(project.test_paths, ".sql").map(toModelFile);
  const seeds = list(project.seed_paths, ".csv").map((f) => ({ name: basename(f.path, ".csv"), path: f.path }));
  const properties = [...list(project.model_paths, ".yml"), ...list(project.model_paths, ".yaml"), ...list(project.seed_paths, ".yml")]
    .map((f) => ({ ...f, content: parseYaml(f.path, f.text, PropertiesFile, diagnostics) }))
    .filter((f): f is { path: string; text: string; content: PropertiesFile } => f.content !== undefined);

  const seen = new Map<string, string>();
  for (const m of [...models, ...seeds]) {
    const other = seen.get(m.name);
    if (other) diagnostics.error(m.path, 1, 1, `two nodes are named '${m.name}' (also ${other})`, "rename one file");
    seen.set(m.name, m.path);
  }
  diagnostics.throwIfErrors();
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
  };
}

function loadTarget(
  options: LoadOptions,
  project: ProjectFile,
  env: Record<string, string | undefined>,
  secrets: Secrets,
  diagnostics: Diagnostics,
): { targetName: string; target: TargetConfig } {
  const profilesDir = options.profilesDir ?? env["SLUICE_PROFILES_DIR"] ?? options.projectDir;
  const profilesPath = join(profilesDir, "profiles.yml");
  const shown = relative(options.projectDir, profilesPath) || "profiles.yml";
  if (!existsSync(profilesPath)) {
    diagnostics.error(shown, 1, 1, "no profiles.yml found", "create one with `sluice init` or pass --profiles-dir");
    throw new ProjectError(diagnostics.items);
  }
  const raw = readFileSync(profilesPath, "utf8");
  let targetName = options.target;
  const renderTarget = (doc: Document) => {
    const targets = doc.get("targets");
    if (!isMap(targets)) return;
    const names = targets.items.map((pair) => String((pair.key as Scalar).value));
    targetName ??= (doc.get("default_target") as string | undefined) ?? project.default_target ?? names[0] ?? "dev";
    // Only the chosen target is rendered and validated: another target's env vars need not be set.
    for (const name of names) if (name !== targetName) targets.delete(name);
    visit(targets, {
      Scalar(_key, node, path) {
        const parent = path[path.length - 1];
        const field = isPair(parent) && parent.value === node && isScalar(parent.key) ? String(parent.key.value) : "";
        // A credential written in the file is as secret as one read from the environment.
        if (isCredentialField(field) && node.value !== null && node.value !== undefined) secrets.add(String(node.value));
        if (typeof node.value !== "string" || !node.value.includes("{{")) return;
        try {
          // Values stay strings (a digit-only password is a password); the schema reads numbers from them.
          node.value = renderProfileValue(node.value, env, secrets, isCredentialField(field));
        } catch (e) {
          const pos = lineCounter(raw, node.range?.[0] ?? 0);
          diagnostics.error(shown, pos.line, pos.col, templateErrorPosition(e).message, "set the environment variable or give env_var() a default");
        }
      },
    });
  };
  const profiles = parseYaml(shown, raw, ProfilesFile, diagnostics, renderTarget);
  diagnostics.throwIfErrors();
  const targets = profiles!.targets;
  const target = targets[targetName!];
  if (!target) {
    const defined = yamlTargetNames(raw);
    diagnostics.error(shown, 1, 1, `target '${targetName}' is not defined`, didYouMean(targetName!, defined) ?? `defined: ${defined.join(", ")}`);
    throw new ProjectError(diagnostics.items);
  }
  return { targetName: targetName!, target };
}

/**
 * A profile value may use env_var('NAME', default) only. What it reads is a secret when the field
 * is a credential or the variable is named SLUICE_ENV_SECRET_*.
 */
function renderProfileValue(text: string, env: Record<string, string | undefined>, secrets: Secrets, credential: boolean): string {
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
  const message = text.replace(/^\(.*?\)\s*(\[Line \d+, Column \d+\])?\s*/s, "").replace(/\s+/g, " ").replace(/^Error: /, "").trim();
  // Parse errors carry their 1-based position as fields; runtime errors put it in the message.
  const fields = e as { lineno?: unknown; colno?: unknown } | null;
  const line = m ? Number(m[1]) : typeof fields?.lineno === "number" ? fields.lineno : 1;
  const column = m ? Number(m[2]) : typeof fields?.colno === "number" ? fields.colno : 1;
  return { line, column, message };
}

function listFiles(dir: string, roots: string[], extension: string, listings: Map<string, string[]>): ProjectFileText[] {
  const out: ProjectFileText[] = [];
  for (const root of roots) {
    const absolute = join(dir, root);
    let entries = listings.get(absolute);
    if (!entries) {
      if (!existsSync(absolute)) continue;
      entries = (readdirSync(absolute, { recursive: true, withFileTypes: false }) as string[]).sort();
      listings.set(absolute, entries);
    }
    for (const entry of entries) {
      if (extname(entry) !== extension) continue;
      const path = join(root, entry).split(sep).join("/");
      const text = extension === ".csv" ? "" : readFileSync(join(absolute, entry), "utf8");
      out.push({ path, text });
    }
  }
  return out;
}

function toModelFile(f: ProjectFileText): ModelFile {
  const parts = f.path.split("/");
  return { ...f, name: basename(f.path, ".sql"), folder: parts.slice(1, -1).join("/") };
}
