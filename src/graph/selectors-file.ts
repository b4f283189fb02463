// Reads dbt's selectors.yml from the project folder into named selector definitions (evaluated by
// graph/yaml-selectors.ts); a wrong file is a SelectorError, a usage error, as dbt reports it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import { SelectorError } from "./selector.js";
import type { YamlSelector } from "./yaml-selectors.js";

/** The selectors of `selectors.yml` in `dir` (none when it is absent); a wrong file is a SelectorError. */
export function readYamlSelectors(dir: string): YamlSelector[] {
  const file = join(dir, "selectors.yml");
  if (!existsSync(file)) return [];
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter: lines });
  if (doc.errors.length > 0)
    throw new SelectorError(`selectors.yml: invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  const list = doc.get("selectors", true);
  const raw = (doc.toJS() ?? {}) as { selectors?: unknown };
  if (!Array.isArray(raw.selectors))
    throw new SelectorError("selectors.yml: expected `selectors:` with a list of {name, definition}");
  const out: YamlSelector[] = raw.selectors.map((s, i) => {
    const node = isMap(list) || !list ? undefined : (list as { items?: { range?: number[] }[] }).items?.[i];
    const where = `selectors.yml:${lines.linePos(node?.range?.[0] ?? 0).line}`;
    const entry = (s ?? {}) as Record<string, unknown>;
    if (typeof entry["name"] !== "string" || entry["definition"] === undefined)
      throw new SelectorError(`${where}: a selector needs a name and a definition`);
    return {
      name: entry["name"],
      definition: entry["definition"],
      default: entry["default"] === true,
      where,
    };
  });
  const defaults = out.filter((s) => s.default);
  if (defaults.length > 1)
    throw new SelectorError(
      `selectors.yml: ${defaults.map((s) => `'${s.name}'`).join(" and ")} are both default: true; keep one`,
    );
  return out;
}
