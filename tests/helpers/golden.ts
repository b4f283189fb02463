// Golden files: generated SQL compared with checked-in files under tests/golden/<dialect>/, so every
// change to the SQL sluice writes shows up in review. UPDATE_GOLDEN=1 rewrites them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import { REPO_ROOT } from "./temp-project.js";

/** A matcher for one folder of golden files: `expectGolden("name", sql)`. */
export function goldenFiles(folder: string): (name: string, actual: string) => void {
  const dir = join(REPO_ROOT, "tests/golden", folder);
  return (name, actual) => {
    const file = join(dir, `${name}.sql`);
    const text = `${actual.trimEnd()}\n`;
    if (process.env["UPDATE_GOLDEN"] === "1") {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return;
    }
    if (!existsSync(file))
      throw new Error(
        `golden file tests/golden/${folder}/${name}.sql is missing; run with UPDATE_GOLDEN=1 to create it`,
      );
    expect(text, `tests/golden/${folder}/${name}.sql`).toBe(readFileSync(file, "utf8"));
  };
}
