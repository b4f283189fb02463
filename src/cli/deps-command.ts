// `sluice deps`: installs a dbt project's packages.yml into dbt_packages/ (see project/dbt-deps.ts).
import { resolve } from "node:path";
import type { Command } from "commander";

export function registerDepsCommand(program: Command): void {
  program
    .command("deps")
    .description("install the packages of a dbt project's packages.yml into dbt_packages/")
    .option("--project-dir <dir>", "folder holding dbt_project.yml", ".")
    .action(async (o: { projectDir: string }) => {
      const { installDbtPackages } = await import("../project/dbt-deps.js");
      const installed = installDbtPackages(resolve(o.projectDir), process.env);
      for (const p of installed) process.stdout.write(`Installed ${p.name} (${p.from}) into ${p.into}\n`);
      process.stdout.write(
        installed.length === 0
          ? "No packages listed.\n"
          : `Installed ${installed.length} package${installed.length === 1 ? "" : "s"}.\n`,
      );
    });
}
