// `sluice check`: the PR check. Compiles everything with no connection (incremental models in both
// modes), runs the offline checks, and reports as plain lines, GitHub annotations and JUnit XML.
// Exit 2 when anything is wrong, so a workflow step fails.
import type { Command } from "commander";
import { manifestDag, selectNodes } from "../graph/selector.js";
import { writeManifest } from "../manifest/io.js";
import { checkManifest } from "../manifest/checks.js";
import { stateFor } from "../manifest/state.js";
import { ProjectError, type Diagnostic } from "../project/diagnostics.js";
import type { Project } from "../project/load.js";
import { join } from "node:path";
import { githubAnnotation, plainLine, writeJunit } from "./check-report.js";
import { diagnosticEvent, emitEvent } from "./log-events.js";
import {
  addCommonOptions,
  compileProjectCached,
  loadFromOptions,
  UsageError,
  type CommonOptions,
} from "./options.js";

interface CheckOptions extends CommonOptions {
  format?: string;
  junit?: string;
  state?: string;
}

export function registerCheckCommand(program: Command, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command("check")
      .description(
        "PR check: compile everything offline, check it, report as text, GitHub annotations or JUnit",
      ),
  )
    .option("--format <format>", "text or github (default: github inside GitHub Actions, else text)")
    .option("--junit <path>", "also write a JUnit XML report")
    .option("--state <dir>", "previous manifest folder: also list the nodes state:modified+ selects")
    .action(async (o: CheckOptions) => {
      const started = Date.now();
      const format = o.format ?? (process.env["GITHUB_ACTIONS"] === "true" ? "github" : "text");
      if (format !== "text" && format !== "github")
        throw new UsageError(`--format must be text or github, got '${format}'`);
      let project: Project | undefined;
      let diagnostics: Diagnostic[] = [];
      let checked: { name: string; file: string }[] = [];
      let modified: string[] | undefined;
      try {
        // Loading is a phase of the check too: YAML syntax, unknown keys, wrong types, duplicate
        // names and profile errors are the commonest mistakes in a pull request.
        project = await loadFromOptions(o, true);
        // With only load errors left, the offline checks still run on what compiled; nothing is written.
        const {
          manifest,
          warnings,
          loadErrors = [],
        } = await compileProjectCached(project, {
          loadErrorsInResult: true,
        });
        if (loadErrors.length === 0)
          await writeManifest(join(project.dir, project.config.target_path), manifest);
        diagnostics = [...loadErrors, ...warnings, ...checkManifest(manifest)];
        checked = Object.values(manifest.nodes)
          .filter((n) => n.kind !== "source")
          .map((n) => ({ name: n.id, file: n.location.path }));
        const state = stateFor(manifest, o.state);
        if (state)
          modified = [
            ...selectNodes({ manifest, dag: manifestDag(manifest), state }, ["state:modified+"], undefined),
          ].sort();
      } catch (e) {
        if (!(e instanceof ProjectError)) throw e;
        diagnostics = e.diagnostics;
        checked = project?.models.map((m) => ({ name: `model.${m.name}`, file: m.path })) ?? [];
      }
      const redact = (text: string) => project?.secrets.redact(text) ?? text;
      diagnostics = diagnostics.map((d) => ({
        ...d,
        message: redact(d.message),
        ...(d.hint ? { hint: redact(d.hint) } : {}),
      }));
      // --log-format json makes every diagnostic an event, as every other command's errors are.
      const json = o.logFormat === "json";
      const say = (message: string) =>
        json ? emitEvent("info", { message }) : process.stdout.write(`${message}\n`);
      const line = format === "github" ? githubAnnotation : plainLine;
      for (const d of diagnostics) {
        if (json)
          emitEvent(d.severity === "error" ? "error" : "warning", { kind: "project", ...diagnosticEvent(d) });
        else process.stdout.write(`${line(d)}\n`);
      }
      if (o.junit) writeJunit(o.junit, checked, diagnostics, Date.now() - started);
      const errors = diagnostics.filter((d) => d.severity === "error").length;
      if (modified)
        say(
          `state:modified+ selects ${modified.length} node${modified.length === 1 ? "" : "s"}` +
            `${modified.length ? `: ${modified.join(", ")}` : ""}`,
        );
      say(
        `${errors === 0 ? "check passed" : "check failed"}: ${checked.length} nodes, ` +
          `${errors} error${errors === 1 ? "" : "s"}, ${diagnostics.length - errors} warning` +
          `${diagnostics.length - errors === 1 ? "" : "s"} in ${Date.now() - started} ms`,
      );
      setExit(errors === 0 ? 0 : 2);
    });
}
