// `sluice schema`: prints the JSON Schema of project.yml, profiles.yml or property YAML, or writes
// all three (the package's schemas/ folder is written this way).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { YamlSchemaName } from "../project/json-schemas.js";
import { UsageError } from "./options.js";

/**
 * The kinds of project/json-schemas.ts (YAML_SCHEMAS), named here so that registering the command
 * does not build the schemas at every start; the action checks that the two lists agree.
 */
const NAMES: YamlSchemaName[] = ["project", "profiles", "properties"];

export function registerSchemaCommand(program: Command): void {
  const names = NAMES;
  program
    .command("schema")
    .description("print the JSON Schema of a YAML file kind, for editors and CI validators")
    .argument("[kind]", names.join(", "))
    .option("--write <dir>", "write every schema to DIR as <kind>.schema.json")
    .action(async (kind: string | undefined, o: { write?: string }) => {
      const { YAML_SCHEMAS, jsonSchemaText } = await import("../project/json-schemas.js");
      if (Object.keys(YAML_SCHEMAS).join() !== names.join())
        throw new Error(`schema-command.ts names ${names.join(", ")}; json-schemas.ts has others`);
      if (o.write) {
        mkdirSync(resolve(o.write), { recursive: true });
        for (const name of names)
          writeFileSync(join(resolve(o.write), YAML_SCHEMAS[name].file), jsonSchemaText(name));
        process.stdout.write(`Wrote ${names.map((n) => YAML_SCHEMAS[n].file).join(", ")} to ${o.write}\n`);
        return;
      }
      if (!kind || !(names as string[]).includes(kind)) {
        throw new UsageError(
          `sluice schema takes one of ${names.join(", ")}${kind ? `, got '${kind}'` : ""}`,
        );
      }
      process.stdout.write(jsonSchemaText(kind as YamlSchemaName));
    });
}
