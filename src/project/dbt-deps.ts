// `sluice deps`: installs the packages a dbt project's packages.yml (or dependencies.yml) lists into
// packages-install-path (dbt_packages/), where the loader reads them as it reads `dbt deps`' work.
// A `local:` package is linked there as dbt links it (copied where links cannot be made); a `git:`
// package is cloned with the git on this machine. dbt Hub and tarball packages need dbt's Hub client,
// which sluice does not have: they are refused with what to do instead. Every entry is checked, and
// every git package fetched into a scratch folder, before anything is put in dbt_packages/, so a bad
// entry installs nothing.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { Diagnostics } from "./diagnostics.js";
import { DBT_PROJECT_FILE, readDbtProject } from "./dbt-project.js";

export interface InstalledPackage {
  name: string;
  /** What packages.yml named: `local: …` or `git: …`. */
  from: string;
  /** Where it was put, relative to the project. */
  into: string;
}

/** Seconds a git clone may take before it is given up (an unreachable host fails sooner). */
const GIT_TIMEOUT_MS = 120_000;

type Staged = { name: string; from: string; install: (into: string) => void };

/** Installs every listed package; throws ProjectError naming each entry that cannot be installed. */
export function installDbtPackages(dir: string, env: Record<string, string | undefined>): InstalledPackage[] {
  const diagnostics = new Diagnostics();
  const projectFile = join(dir, DBT_PROJECT_FILE);
  if (!existsSync(projectFile)) {
    diagnostics.error(
      DBT_PROJECT_FILE,
      1,
      1,
      `${dir} has no ${DBT_PROJECT_FILE}: sluice deps installs the packages of a dbt project`,
      "run it in a dbt project's folder, or pass --project-dir",
    );
    diagnostics.throwIfErrors();
  }
  const read = readDbtProject(readFileSync(projectFile, "utf8"), env, diagnostics);
  diagnostics.throwIfErrors();
  const packagesPath = read!.dbt.packagesPath;
  const scratch = mkdtempSync(join(tmpdir(), "sluice-deps-"));
  try {
    const staged: Staged[] = [];
    for (const file of ["packages.yml", "dependencies.yml"]) {
      const path = join(dir, file);
      if (existsSync(path))
        staged.push(...stageEntries(dir, file, readFileSync(path, "utf8"), scratch, env, diagnostics));
    }
    diagnostics.throwIfErrors();
    const root = join(dir, packagesPath);
    mkdirSync(root, { recursive: true });
    return staged.map((p) => {
      const into = join(root, p.name);
      if (existsSync(into) || isLink(into)) rmSync(into, { recursive: true, force: true });
      p.install(into);
      return { name: p.name, from: p.from, into: relative(dir, into).split("\\").join("/") };
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function stageEntries(
  dir: string,
  file: string,
  text: string,
  scratch: string,
  env: Record<string, string | undefined>,
  diagnostics: Diagnostics,
): Staged[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const pos = lines.linePos(doc.errors[0]!.pos[0]);
    diagnostics.error(
      file,
      pos.line,
      pos.col,
      `invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}`,
      "fix the YAML syntax",
    );
    return [];
  }
  const packages = isMap(doc.contents) ? doc.contents.get("packages", true) : undefined;
  if (!isSeq(packages)) return [];
  const out: Staged[] = [];
  packages.items.forEach((item, i) => {
    const line = lines.linePos((item as { range?: [number] }).range?.[0] ?? 0).line;
    const entry = (isMap(item) ? item.toJSON() : {}) as Record<string, unknown>;
    const vendor =
      "vendor it: put a copy of the package in the project (e.g. " +
      "packages/<name>) and list it as `- local: packages/<name>`";
    if (typeof entry["local"] === "string") {
      const at = resolve(dir, entry["local"]);
      const name = packageName(at);
      if (!name)
        diagnostics.error(
          file,
          line,
          1,
          `local package '${entry["local"]}' has no ${DBT_PROJECT_FILE} with a name`,
          "point local: at a dbt package's folder",
        );
      else
        out.push({
          name,
          from: `local: ${entry["local"]}`,
          install: (into) => {
            // As dbt deps does: a link, so edits to the package are seen; a copy where links are refused.
            try {
              symlinkSync(relative(join(into, ".."), at), into, "dir");
            } catch {
              cpSync(at, into, { recursive: true });
            }
          },
        });
    } else if (typeof entry["git"] === "string") {
      const staged = cloneGit(entry, scratch, i, env);
      if ("error" in staged)
        diagnostics.error(
          file,
          line,
          1,
          `cannot fetch git package ${entry["git"]}: ${staged.error}`,
          `check the URL and revision, or ${vendor}`,
        );
      else out.push(staged);
    } else if (typeof entry["package"] === "string" || typeof entry["tarball"] === "string") {
      const what =
        typeof entry["package"] === "string"
          ? `dbt Hub package '${entry["package"]}'`
          : `tarball package '${String(entry["tarball"])}'`;
      diagnostics.error(
        file,
        line,
        1,
        `${what} cannot be installed by sluice, which has no dbt Hub client`,
        `${vendor}, or use its git: repository, or install it ` +
          `with \`dbt deps\` (sluice uses dbt_packages/ as it is)`,
      );
    } else
      diagnostics.error(
        file,
        line,
        1,
        "a package entry names none of local:, git:, package:",
        "write e.g. `- local: packages/my_package`",
      );
  });
  return out;
}

/** The name in a package folder's dbt_project.yml, the folder it is installed under. */
function packageName(folder: string): string | undefined {
  const path = join(folder, DBT_PROJECT_FILE);
  if (!existsSync(path)) return undefined;
  const name = (parseDocument(readFileSync(path, "utf8")).toJS() as { name?: unknown } | null)?.name;
  return typeof name === "string" && name.length > 0 ? name : undefined;
}

/** Clones a git package into the scratch folder with the machine's git; never prompts for a password. */
function cloneGit(
  entry: Record<string, unknown>,
  scratch: string,
  index: number,
  env: Record<string, string | undefined>,
): Staged | { error: string } {
  const url = String(entry["git"]);
  const revision = entry["revision"] === undefined ? undefined : String(entry["revision"]);
  const clone = join(scratch, String(index));
  const git = (args: string[]) =>
    spawnSync("git", args, {
      encoding: "utf8",
      timeout: GIT_TIMEOUT_MS,
      env: { ...env, GIT_TERMINAL_PROMPT: "0" } as NodeJS.ProcessEnv,
    });
  // A commit hash is not a branch: clone whole, then check it out.
  const isCommit = revision !== undefined && /^[0-9a-f]{7,40}$/i.test(revision);
  const first = git([
    "clone",
    "--quiet",
    ...(revision && !isCommit ? ["--depth", "1", "--branch", revision] : []),
    url,
    clone,
  ]);
  const failed = (r: ReturnType<typeof git>) =>
    r.error
      ? r.error.message
      : (r.stderr || r.stdout).trim().split("\n").pop() || `git exited with ${r.status}`;
  if (first.status !== 0) return { error: failed(first) };
  if (isCommit) {
    const checkout = git(["-C", clone, "checkout", "--quiet", revision]);
    if (checkout.status !== 0) return { error: failed(checkout) };
  }
  const folder = typeof entry["subdirectory"] === "string" ? join(clone, entry["subdirectory"]) : clone;
  const name = packageName(folder);
  if (!name)
    return {
      error:
        `the repository${entry["subdirectory"] ? `'s ${entry["subdirectory"]}` : ""}` +
        ` has no ${DBT_PROJECT_FILE} with a name`,
    };
  return {
    name,
    from: `git: ${url}${revision ? `@${revision}` : ""}`,
    install: (into) => {
      try {
        renameSync(folder, into);
      } catch {
        cpSync(folder, into, { recursive: true });
      }
    },
  };
}
