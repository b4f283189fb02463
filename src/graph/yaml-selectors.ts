// dbt's YAML selectors (`selectors.yml`: `selectors: [{name, definition, default}]`, read by
// graph/selectors-file.ts) evaluated through the same atoms as `--select` (selector.ts): a definition is
// a `--select` string, a `{method, value, parents, children, …}` mapping, or a `union:` /
// `intersection:` list whose `exclude:` items are taken out.
import { didYouMean } from "../project/diagnostics.js";
import { SelectorError } from "./selector.js";

export interface YamlSelector {
  name: string;
  definition: unknown;
  default: boolean;
  /** `selectors.yml:LINE`, for errors. */
  where: string;
}

/** The node ids a selector names; `pick` evaluates `--select` expressions (union of each). */
export function evaluateYamlSelector(
  selectors: YamlSelector[],
  name: string,
  pick: (expressions: string[]) => Set<string>,
  seen: string[] = [],
): Set<string> {
  const selector = selectors.find((s) => s.name === name);
  if (!selector) {
    const hint = didYouMean(
      name,
      selectors.map((s) => s.name),
    );
    throw new SelectorError(
      `--selector ${name}: no selector is named '${name}' in selectors.yml${hint ? `; ${hint}` : ""}`,
    );
  }
  if (seen.includes(name))
    throw new SelectorError(
      `${selector.where}: selector '${name}' refers to itself: ${[...seen, name].join(" → ")}`,
    );
  const evaluate = (def: unknown): Set<string> => {
    if (typeof def === "string") return pick([def]);
    if (!def || typeof def !== "object" || Array.isArray(def))
      throw new SelectorError(`${selector.where}: '${name}': a definition is a string or a mapping`);
    const d = def as Record<string, unknown>;
    for (const op of ["union", "intersection"] as const) {
      if (d[op] === undefined) continue;
      if (!Array.isArray(d[op])) throw new SelectorError(`${selector.where}: '${name}': ${op} takes a list`);
      const items = d[op] as unknown[];
      const isExclude = (x: unknown) => typeof x === "object" && x !== null && "exclude" in x;
      const sets = items.filter((x) => !isExclude(x)).map(evaluate);
      const out =
        op === "union"
          ? new Set(sets.flatMap((s) => [...s]))
          : new Set([...(sets[0] ?? [])].filter((id) => sets.every((s) => s.has(id))));
      for (const x of items.filter(isExclude))
        for (const id of evaluate({ union: (x as { exclude: unknown }).exclude })) out.delete(id);
      return out;
    }
    if (typeof d["method"] !== "string" || d["value"] === undefined)
      throw new SelectorError(
        `${selector.where}: '${name}': a definition mapping needs method and value, or union / intersection`,
      );
    const value = String(d["value"]);
    let chosen: Set<string>;
    if (d["method"] === "selector") chosen = evaluateYamlSelector(selectors, value, pick, [...seen, name]);
    else {
      const depth = (key: string) => (d[key] === undefined ? "" : String(Number(d[key])));
      const up = d["parents"] === true ? `${depth("parents_depth")}+` : "";
      const down = d["children"] === true ? `+${depth("children_depth")}` : "";
      const at = d["childrens_parents"] === true ? "@" : "";
      const method = d["method"] === "fqn" && value === "*" ? "*" : `${d["method"]}:${value}`;
      chosen = pick([`${at}${at ? "" : up}${method}${at ? "" : down}`]);
    }
    if (d["exclude"] !== undefined) for (const id of evaluate({ union: d["exclude"] })) chosen.delete(id);
    return chosen;
  };
  return evaluate(selector.definition);
}
