// The one nunjucks environment a compile uses: context functions (ref, source, config, var,
// env_var, is_incremental, this, target) bound to whichever node is being rendered, and the
// project's macros callable from every template. Templates are parsed once; the same AST feeds
// the dependency scan and the compiled render function.
import nunjucks from "nunjucks";
import { isSecretEnvName } from "../project/secrets.js";
import "./jinja-compat.js";
import { addDbtContext, relationFromSql } from "./jinja-context.js";
import { DbtNamespace } from "./dbt-namespace.js";
import type { DispatchEntry } from "../project/dbt-project.js";
import type { TemplateScan } from "./scan.js";
import type { RenderIntrospection } from "./dbt-introspection.js";
import { generateTemplateCode, scanOf, type TemplateCode } from "./template-code.js";

/** What a template sees while one node renders. */
export interface RenderScope {
  ref(name: string): string;
  source(source: string, table: string): string;
  config(options: Record<string, unknown>): void;
  var(name: string, fallback?: unknown): unknown;
  envVar(name: string, fallback?: string): string;
  isIncremental: boolean;
  self: string;
  target: Record<string, unknown>;
  /** The model's resolved config in dbt's keys, for config.get(); absent where it is not known. */
  modelConfig?: Record<string, unknown>;
  /** What the template may ask the database (dbt's execute, run_query, …); absent: it may not ask. */
  introspection?: RenderIntrospection;
}

/** `var(name, fallback)`: the project's value, else the fallback, else an error naming it. */
export function lookUpVar(vars: Record<string, unknown>, name: string, fallback: unknown): unknown {
  if (name in vars) return vars[name];
  if (fallback !== undefined) return fallback;
  throw new Error(`var('${name}') is not defined`);
}

/**
 * `env_var(name, fallback)`: the environment's value, else the fallback, else an error naming it.
 * A secret (SLUICE_ENV_SECRET_*, or a variable a profile reads into a credential: `secretNames`)
 * is an error: SQL lands in the manifest, compiled files and the docs, so a secret may not be in it.
 */
export function lookUpEnvVar(
  env: Record<string, string | undefined>,
  name: string,
  fallback: string | undefined,
  secretNames: readonly string[],
): string {
  if (isSecretEnvName(name, secretNames))
    throw new Error(`env_var('${name}') is a secret and cannot be rendered into SQL`);
  const value = env[name] ?? fallback;
  if (value === undefined) throw new Error(`env_var('${name}') is not set`);
  return value;
}

export interface CompiledTemplate {
  path: string;
  scan: TemplateScan;
  render(scope: RenderScope): string;
}

export class TemplateEnvironment {
  private readonly env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  private scope: RenderScope | undefined;
  /** Macro name → defining file. */
  readonly macros = new Map<string, string>();
  /** Macro name → names it calls, for finding every macro a model uses. */
  readonly macroCalls = new Map<string, Set<string>>();
  /** Custom materialization name → the file whose {% materialization %} block defines it. */
  readonly materializations = new Map<string, string>();
  /** dbt's package namespaces, built-ins and adapter.dispatch. */
  private readonly dbt: DbtNamespace;
  /** Macros the root project defines: package macros never replace them under their bare name. */
  private readonly rootMacros = new Set<string>();
  private rootName: string | undefined;

  constructor() {
    const current = (): RenderScope => {
      if (!this.scope) throw new Error("context functions are only available while a model renders");
      return this.scope;
    };
    // ref('model') and ref('package', 'model'); relations render as SQL and have dbt's parts.
    this.env.addGlobal("ref", (...args: string[]) => relationFromSql(current().ref(args[args.length - 1]!)));
    this.env.addGlobal("source", (source: string, table: string) =>
      relationFromSql(current().source(source, table)),
    );
    const config = (options: Record<string, unknown> = {}) => {
      const { __keywords, ...rest } = options;
      void __keywords;
      current().config(rest);
      return "";
    };
    // dbt's config.get / config.require read the model's resolved config.
    const configValue = (key: string): unknown => {
      const values = current().modelConfig;
      if (!values) throw new Error(`config.get('${key}') is not available here`);
      return values[key];
    };
    Object.assign(config, {
      get: (key: string, fallback: unknown = null) => configValue(key) ?? fallback,
      require: (key: string) => {
        const value = configValue(key);
        if (value === undefined || value === null) throw new Error(`config '${key}' is required but not set`);
        return value;
      },
    });
    this.env.addGlobal("config", config);
    this.env.addGlobal("var", (name: string, fallback?: unknown) => current().var(name, fallback));
    this.env.addGlobal("env_var", (name: string, fallback?: string) => current().envVar(name, fallback));
    this.env.addGlobal("is_incremental", () => current().isIncremental);
    // Lets a macro stop the compile with its own message, like dbt's raise_compiler_error.
    this.env.addGlobal("raise_error", (message: string) => {
      throw new Error(message);
    });
    // `this` and `target` are read like variables, also from inside macros, so they are getters.
    Object.defineProperty(globalsOf(this.env), "this", {
      get: () => relationFromSql(current().self),
      enumerable: true,
    });
    Object.defineProperty(globalsOf(this.env), "target", { get: () => current().target, enumerable: true });
    // The loader fixes both per compile (see load.ts), so every thread renders the same values.
    const started = new Date().toISOString();
    addDbtContext(this.env, {
      runStartedAt: () => this.scope?.envVar("SLUICE_RUN_STARTED_AT", "") || started,
      invocationId: () =>
        this.scope?.envVar("SLUICE_INVOCATION_ID", "") || "00000000-0000-0000-0000-000000000000",
      write: (line) => process.stderr.write(`${line}\n`),
      introspection: () => this.scope?.introspection,
    });
    this.dbt = new DbtNamespace(
      () => current().target["type"] as "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql",
      () => this.scope?.introspection,
    );
    const builtins = this.dbt.builtins();
    this.env.addGlobal("dbt", builtins);
    // dbt's cross-database macros are callable by their bare names too.
    for (const [name, fn] of Object.entries(builtins))
      if (!(name in globalsOf(this.env))) this.env.addGlobal(name, fn);
    const { adapter, api } = this.dbt.adapterObjects();
    this.env.addGlobal("adapter", adapter);
    this.env.addGlobal("api", api);
  }

  /** Makes adapter.dispatch follow a dbt project's `dispatch:` and names its root package. */
  useDbtProject(rootProject: string, dispatch: DispatchEntry[]): void {
    this.rootName = rootProject;
    this.dbt.configure(rootProject, dispatch);
    this.env.addGlobal(rootProject, this.dbt.namespace(rootProject));
  }

  /** A macro of one package, as `pkg.name` finds it. */
  packageMacro(pkg: string, name: string): unknown {
    return this.dbt.macro(pkg, name);
  }

  /**
   * Compiles a template once, from its generated code when the caller has it (cache or worker), else
   * from its text. Throws nunjucks' error, with line and column, on bad syntax.
   */
  compile(path: string, text: string, generated?: TemplateCode): CompiledTemplate {
    const { code, scan } = generated ?? generateTemplateCode(path, text);
    // Turned into a function on first render only: a template rendered on another thread never is.
    let template: nunjucks.Template | undefined;
    return {
      path,
      scan: scanOf({ code, scan }),
      render: (scope) => {
        template ??= new nunjucks.Template(
          { type: "code", obj: new Function(code)() as object } as unknown as string,
          this.env,
          path,
        );
        const compiled = template;
        return this.withScope(scope, () => compiled.render({}));
      },
    };
  }

  /**
   * Registers the macros a macro file defines as globals every template can call, and under the
   * namespace of `pkg` (a dbt package) when given. A root project macro keeps its bare name.
   */
  addMacros(path: string, text: string, pkg?: string): string[] {
    const compiled = this.compile(path, text);
    const template = new nunjucks.Template(text, this.env, path, true) as unknown as {
      getExported(cb: (err: Error | null, exported: Record<string, unknown>) => void): void;
    };
    let exported: Record<string, unknown> = {};
    template.getExported((err, result) => {
      if (err) throw err;
      exported = result;
    });
    const names = Object.keys(exported);
    for (const name of names) {
      const materialization = /^materialization__(.+)__[^_]+$/.exec(name);
      if (materialization) this.materializations.set(materialization[1]!, path);
      if (pkg !== undefined) {
        const space = this.dbt.add(pkg, name, exported[name] as (...args: unknown[]) => unknown);
        if (!(pkg in globalsOf(this.env)) || globalsOf(this.env)[pkg] !== space)
          this.env.addGlobal(pkg, space);
      }
      const isPackage = pkg !== undefined && pkg !== this.rootName;
      if (!isPackage) this.rootMacros.add(name);
      if (isPackage && this.rootMacros.has(name)) continue;
      this.env.addGlobal(name, exported[name]);
      this.macros.set(name, path);
      this.macroCalls.set(name, compiled.scan.calls);
    }
    return names;
  }

  /**
   * Calls one of the project's macros (of package `pkg`, when
   * given) with positional arguments while `scope` renders.
   */
  callMacro(name: string, args: unknown[], scope: RenderScope, pkg?: string): unknown {
    const macro = pkg !== undefined ? this.dbt.macro(pkg, name) : globalsOf(this.env)[name];
    if (typeof macro !== "function") throw new Error(`no macro named '${name}'`);
    return this.withScope(scope, () => (macro as (...a: unknown[]) => unknown)(...args));
  }

  /** Every macro `calls` reaches, directly or through other macros. */
  macrosReached(calls: Iterable<string>): string[] {
    const seen = new Set<string>();
    const stack = [...calls];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name) || !this.macros.has(name)) continue;
      seen.add(name);
      stack.push(...(this.macroCalls.get(name) ?? []));
    }
    return [...seen].sort();
  }

  /** Renders a one-off template string (hooks, operations) in a scope. */
  renderString(text: string, scope: RenderScope): string {
    return this.withScope(scope, () => this.env.renderString(text, {}));
  }

  private withScope<T>(scope: RenderScope, work: () => T): T {
    const previous = this.scope;
    this.scope = scope;
    try {
      return work();
    } finally {
      this.scope = previous;
    }
  }
}

function globalsOf(env: nunjucks.Environment): Record<string, unknown> {
  return (env as unknown as { globals: Record<string, unknown> }).globals;
}
