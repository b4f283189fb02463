import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

// Generates the docs site of a project made by `sluice init`, built once so it has run results,
// and drives it in Debian's chromium from file://: search, click, follow lineage, read the panel.
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log("skipped: no chromium (apt-get install chromium)");

const SCHEMA = `models:
  - name: customers_by_country
    description: "Customers per country. <script>window.__injected = 1</script><img src=x onerror=\\"window.__injected = 2\\">"
    config:
      tags: [finance]
    columns:
      - name: country
        data_type: varchar
        tests: [unique, not_null]
`;

let dir: string;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-docs-e2e-"));
  expect(sluice(["init", dir]).code).toBe(0);
  writeFileSync(join(dir, "models/marts/schema.yml"), SCHEMA);
  const build = sluice(["build", "--project-dir", dir]);
  expect(build.stderr).toBe("");
  const generate = sluice(["docs", "generate", "--project-dir", dir]);
  expect(generate.stderr).toBe("");
  expect(generate.code).toBe(0);
  if (hasChromium) browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)("docs site in chromium", () => {
  it("searches, opens a model, follows its lineage upstream and shows the last run", async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(dir, "target/docs/index.html")).href);
    await page.waitForFunction(() => (window as unknown as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY === true);
    await expect.poll(() => page.locator("#legend").textContent()).toContain("warehouse (duckdb)");

    await page.fill("#search", "tag:finance");
    // The model first, then the tests that inherit its tag.
    await expect.poll(() => page.locator("#results li").allTextContents()).toHaveLength(3);
    expect(await page.locator("#results li").first().textContent()).toBe("customers_by_country model · models/marts/customers_by_country.sql");
    await page.fill("#search", "customers_by");
    await page.press("#search", "Enter");
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("customers_by_country");

    // A description with markup is shown as text and runs nothing.
    expect(await page.locator("#detail-description").textContent()).toContain("<script>window.__injected = 1</script>");
    expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
    expect(await page.locator("#detail script, #detail img").count()).toBe(0);
    expect(await page.locator("#detail-columns").textContent()).toMatch(/country.*varchar.*(unique, not_null|not_null, unique)/);
    expect(await page.locator("#detail-status").textContent()).toBe("success");
    expect(await page.locator("[data-sql='compiled']").textContent()).toContain("group by country");

    // Click the upstream model in the graph, then follow the lineage link to the seed.
    await page.click("svg [data-id='model.stg_customers']");
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("stg_customers");
    expect(await page.locator("[data-section='downstream']").textContent()).toContain("customers_by_country");
    await page.locator("[data-section='upstream'] a", { hasText: "customers" }).click();
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("customers");
    expect(await page.locator("[data-section='last run']").textContent()).toMatch(/rows\s*3/);
    expect(await page.locator("[data-section='partitions']").textContent()).toContain("The ledger records no partition of this model.");

    // Focus on the seed's lineage one step downstream.
    await page.selectOption("#down-depth", "1");
    await page.selectOption("#up-depth", "0");
    await expect.poll(() => page.locator("#status").textContent()).toContain("customers+1");
    expect(await page.locator("svg [data-id]").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")).sort())).toEqual(["model.stg_customers", "seed.customers"]);

    const shot = join(dir, "docs-browser.png");
    await page.screenshot({ path: shot });
    expect(existsSync(shot)).toBe(true);
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
    await page.close();
  });
});

describe("sluice docs serve", () => {
  it("serves the generated site on 127.0.0.1 and prints the address", async () => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin/sluice.js"), "docs", "serve", "--project-dir", dir, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`docs serve exited with ${String(code)}: ${out}`)));
      });
      const index = await fetch(url);
      expect(index.status).toBe(200);
      expect(await index.text()).toContain('<script src="data.js"></script>');
      expect((await fetch(`${url}assets/app.js`)).headers.get("content-type")).toContain("javascript");
      expect((await fetch(`${url}missing.js`)).status).toBe(404);
    } finally {
      child.kill();
    }
  });
});
