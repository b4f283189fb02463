// dbt's macro namespace: each package's macros under its name (dbt_utils.star), dbt's built-ins
// under `dbt`, and `adapter` / `api` with adapter.dispatch searching packages in the order
// dbt_project.yml's `dispatch:` gives, engine-specific implementations before `default__`.
import type { DispatchEntry } from "../project/dbt-project.js";
import { dbtBuiltins } from "./dbt-builtins.js";
import { columnsIn, introspectionFor, type RenderIntrospection } from "./dbt-introspection.js";
import { EPHEMERAL_PREFIX, loadRelation, relationFromSql } from "./jinja-context.js";
import { quoteIdentifier } from "./relations.js";

type Engine = "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";
type Macro = (...args: unknown[]) => unknown;

/** The prefixes adapter.dispatch tries for an engine, dbt's adapter names first. */
const DISPATCH_PREFIXES: Record<Engine, string[]> = {
  duckdb: ["duckdb"],
  sqlserver: ["sqlserver", "fabric"],
  hive: ["spark", "hive"],
  postgres: ["postgres"],
  mysql: ["mysql", "mariadb"],
};

export class DbtNamespace {
  /** Package name → its macros by name; `dbt` holds the built-ins. */
  private readonly packages = new Map<string, Map<string, Macro>>();
  private readonly namespaces = new Map<string, Record<string, Macro>>();
  private rootProject: string | undefined;
  private dispatch: DispatchEntry[] = [];
  private configured = false;

  constructor(
    private readonly engine: () => Engine,
    /** What the node rendering now may ask the database (see dbt-introspection.ts). */
    private readonly introspection: () => RenderIntrospection | undefined = () => undefined,
  ) {}

  /** Names the root project and its dispatch config; until then adapter.dispatch refuses to guess. */
  configure(rootProject: string, dispatch: DispatchEntry[]): void {
    this.rootProject = rootProject;
    this.dispatch = dispatch;
    this.configured = true;
  }

  /** Records a macro of `pkg`; returns the namespace object templates reach it by. */
  add(pkg: string, name: string, macro: Macro): Record<string, Macro> {
    let macros = this.packages.get(pkg);
    if (!macros) this.packages.set(pkg, (macros = new Map()));
    macros.set(name, macro);
    const space = this.namespace(pkg);
    space[name] = macro;
    return space;
  }

  /** The object `pkg.name` resolves through. */
  namespace(pkg: string): Record<string, Macro> {
    let space = this.namespaces.get(pkg);
    if (!space) this.namespaces.set(pkg, (space = Object.create(null) as Record<string, Macro>));
    return space;
  }

  macro(pkg: string, name: string): Macro | undefined {
    return this.packages.get(pkg)?.get(name);
  }

  /** dbt's `dbt` namespace: the built-ins, and any macro a project defines under the dbt package. */
  builtins(): Record<string, Macro> {
    const space = this.namespace("dbt");
    Object.assign(space, dbtBuiltins(this.engine));
    return space;
  }

  /** adapter.dispatch(name, macro_namespace): the first implementation in dbt's search order. */
  resolve(name: string, macroNamespace: string | null | undefined): Macro {
    if (!this.configured) throw new Error("adapter.dispatch needs the project's dispatch config");
    const order = macroNamespace
      ? (this.dispatch.find((d) => d.macro_namespace === macroNamespace)?.search_order ?? [macroNamespace])
      : [
          this.rootProject!,
          ...[...this.packages.keys()].filter((p) => p !== this.rootProject && p !== "dbt"),
          "dbt",
        ];
    const prefixes = [...DISPATCH_PREFIXES[this.engine()], "default"];
    const tried: string[] = [];
    for (const pkg of order) {
      for (const prefix of prefixes) {
        const candidate = `${prefix}__${name}`;
        tried.push(`${pkg}.${candidate}`);
        const found = this.macro(pkg, candidate);
        if (found) return found;
      }
      if (pkg === "dbt" || (macroNamespace === "dbt" && pkg === macroNamespace)) {
        const builtin = this.namespace("dbt")[name];
        if (builtin) return builtin;
      }
    }
    throw new Error(
      `adapter.dispatch('${name}'${macroNamespace ? `, '${macroNamespace}'` : ""}` +
        `) found no implementation (tried ${tried.join(", ")})`,
    );
  }

  /** The `adapter` and `api` objects of dbt's context. */
  adapterObjects(): { adapter: Record<string, unknown>; api: Record<string, unknown> } {
    const refuse = (what: string) => () => {
      throw new Error(`adapter.${what} is not supported by sluice; list the relations in the model instead`);
    };
    const asking = (what: string) => introspectionFor(this.introspection(), `adapter.${what}`);
    const relationArgument = (args: unknown[]) => {
      const kw = keywords(args);
      return args[0] ?? kw["relation"];
    };
    const keywords = (args: unknown[]): Record<string, unknown> => {
      const last = args[args.length - 1] as Record<string, unknown> | undefined;
      return last && typeof last === "object" && "__keywords" in last
        ? (args.pop() as Record<string, unknown>)
        : {};
    };
    const adapter = {
      dispatch: (...args: unknown[]) => {
        const kw = keywords(args);
        return this.resolve(
          String(args[0] ?? kw["macro_name"]),
          (args[1] ?? kw["macro_namespace"]) as string | undefined,
        );
      },
      quote: (identifier: string) => quoteIdentifier(this.engine(), String(identifier)),
      type: () => DISPATCH_PREFIXES[this.engine()][0],
      get_columns_in_relation: (...args: unknown[]) =>
        columnsIn(asking("get_columns_in_relation"), relationArgument(args)),
      get_relation: (...args: unknown[]) => {
        const kw = keywords(args);
        const parts = [kw["database"] ?? args[0], kw["schema"] ?? args[1], kw["identifier"] ?? args[2]];
        return loadRelation(asking("get_relation"), this.relationOf(parts));
      },
      load_relation: (...args: unknown[]) => loadRelation(asking("load_relation"), relationArgument(args)),
      // The columns of `from` that `to` lacks, as dbt's (on_schema_change uses it).
      get_missing_columns: (...args: unknown[]) => {
        const kw = keywords(args);
        const introspection = asking("get_missing_columns");
        const into = new Set(
          columnsIn(introspection, args[1] ?? kw["to_relation"]).map((c) => c.name.toLowerCase()),
        );
        return columnsIn(introspection, args[0] ?? kw["from_relation"]).filter(
          (c) => !into.has(c.name.toLowerCase()),
        );
      },
      list_relations_without_caching: refuse("list_relations_without_caching"),
    };
    const api = {
      Relation: {
        create: (...args: unknown[]) => {
          const kw = keywords(args);
          return this.relationOf([
            kw["database"] ?? args[0],
            kw["schema"] ?? args[1],
            kw["identifier"] ?? args[2],
          ]);
        },
        add_ephemeral_prefix: (name: string) => `${EPHEMERAL_PREFIX}${name}`,
      },
    };
    return { adapter, api };
  }

  /** A relation from its parts (database, schema, identifier), missing parts left out. */
  private relationOf(parts: unknown[]) {
    const given = parts.filter((p) => p !== undefined && p !== null && p !== "");
    return relationFromSql(given.map((p) => quoteIdentifier(this.engine(), String(p))).join("."));
  }
}
