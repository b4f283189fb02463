// Runs the steps of a GitHub workflow job and of the composite action it uses, on this machine:
// `run:` scripts go to bash as written, with `${{ }}` expressions filled from the inputs given;
// the few `uses:` steps stand in as follows: actions/checkout clones the temporary repository
// (at a ref, into a path), setup-node and upload-artifact are no-ops (Node is this one), and
// `uses: ./` runs action.yml's steps. `npm ci` is the one script line replaced (no network in
// tests): the action's sluice is this checkout, already installed.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

export interface StepRun {
  step: string;
  code: number;
  stdout: string;
  stderr: string;
}

export interface WorkflowContext {
  /** Folder of the checked-out repository (the workspace). */
  workspace: string;
  /** Where action.yml and bin/sluice.js live (`github.action_path`). */
  actionPath: string;
  /** Values of `github.*` and of whole expressions that the test decides (e.g. a label check). */
  github: Record<string, string>;
  expressions?: Record<string, string>;
}

/** Fills `${{ … }}` from inputs, github.* and the test's table of whole expressions. */
function fill(text: string, inputs: Record<string, string>, ctx: WorkflowContext): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => evaluate(expr, inputs, ctx));
}

function evaluate(expr: string, inputs: Record<string, string>, ctx: WorkflowContext): string {
  if (ctx.expressions && expr in ctx.expressions) return ctx.expressions[expr]!;
  const input = /^inputs\.([\w-]+)$/.exec(expr);
  if (input) return inputs[input[1]!] ?? "";
  const github = /^github\.([\w.]+)$/.exec(expr);
  if (github) {
    if (github[1] === "action_path") return ctx.actionPath;
    if (github[1]! in ctx.github) return ctx.github[github[1]!]!;
  }
  throw new Error(`no value for the expression \${{ ${expr} }}`);
}

/** Evaluates `always()` or an `if:` made of `a == 'x'` / `a != 'x'` terms joined by `&&`, as action.yml writes them. */
function condition(expr: string, inputs: Record<string, string>, ctx: WorkflowContext): boolean {
  if (expr.trim() === "always()") return true;
  return expr.split("&&").every((term) => {
    const m = /^\s*(.+?)\s*(==|!=)\s*'([^']*)'\s*$/.exec(term);
    if (!m) throw new Error(`cannot evaluate if: ${expr}`);
    const value = evaluate(m[1]!, inputs, ctx);
    return m[2] === "==" ? value === m[3] : value !== m[3];
  });
}

function bash(script: string, cwd: string, name: string): StepRun {
  const r = spawnSync("bash", ["-e", "-c", script], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GITHUB_ACTIONS: "true", CI: "true", NO_COLOR: "1" },
    timeout: 180_000,
  });
  return { step: name, code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs action.yml's steps with `inputs` (defaults from action.yml); stops at the first failing step, as Actions does. */
export function runAction(inputs: Record<string, unknown>, ctx: WorkflowContext): StepRun[] {
  const action = parse(readFileSync(join(ctx.actionPath, "action.yml"), "utf8")) as {
    inputs: Record<string, { default?: string }>;
    runs: { steps: Step[] };
  };
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) values[k] = v.default ?? "";
  for (const [k, v] of Object.entries(inputs)) values[k] = String(v);
  return runSteps(action.runs.steps, values, ctx);
}

/** Runs one job of a workflow file. */
export function runJob(workflowPath: string, job: string, ctx: WorkflowContext): StepRun[] {
  const workflow = parse(readFileSync(workflowPath, "utf8")) as { jobs: Record<string, { steps: Step[] }> };
  return runSteps(workflow.jobs[job]!.steps, {}, ctx);
}

function runSteps(steps: Step[], inputs: Record<string, string>, ctx: WorkflowContext): StepRun[] {
  const runs: StepRun[] = [];
  for (const step of steps) {
    const name = step.name ?? step.uses ?? "step";
    if (step.if && !condition(step.if, inputs, ctx)) continue;
    const args = Object.fromEntries(
      Object.entries(step.with ?? {}).map(([k, v]) => [k, fill(String(v), inputs, ctx)]),
    );
    let result: StepRun | undefined;
    if (step.run !== undefined) {
      const script = fill(step.run, inputs, ctx).replace(
        /^(\s*)npm ci\b.*$/gm,
        "$1: npm ci replaced: this checkout is installed",
      );
      result = bash(script, ctx.workspace, name);
    } else if (step.uses === "./") {
      const inner = runAction(args, ctx);
      runs.push(...inner);
      if (inner.some((r) => r.code !== 0)) return runs;
      continue;
    } else if (step.uses?.startsWith("actions/checkout@")) {
      if (args["path"])
        result = bash(
          `git clone -q --branch "${args["ref"]}" "${ctx.workspace}" "${args["path"]}"`,
          ctx.workspace,
          name,
        );
      else continue; // the workspace is the checkout of the pull request's head already
    } else if (
      step.uses?.startsWith("actions/setup-node@") ||
      step.uses?.startsWith("actions/upload-artifact@")
    ) {
      continue;
    } else throw new Error(`no stand-in for step uses: ${step.uses}`);
    runs.push(result);
    if (result.code !== 0) return runs;
  }
  return runs;
}
