import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
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
        tests:
          - unique
          - not_null
          - accepted_values: { values: [PT] }
      - name: customers
        tests:
          - accepted_values: { values: [2], severity: warn }
      - name: region
        description: Declared, but the model does not select it.
`;

let dir: string;
/** Screenshots go to SLUICE_DOCS_SHOTS when set, so a reviewer can look at them; else the temp project. */
const shot = (name: string) => join(process.env.SLUICE_DOCS_SHOTS ?? dir, name);
let browser: Browser | undefined;

type DocsWindow = {
  SLUICE_DOCS_VIEW: {
    screenPosition(id: string): { x: number; y: number } | null;
    drawn(): string[];
    label(key: string): string | null;
  };
};

/** Clicks where the graph draws node `id` (a WebGL canvas has no element per node). */
async function clickNode(page: Page, id: string): Promise<void> {
  const at = await page.evaluate(
    (nodeId) => (window as unknown as DocsWindow).SLUICE_DOCS_VIEW.screenPosition(nodeId),
    id,
  );
  if (!at) throw new Error(`${id} is not drawn`);
  const box = (await page.locator("#graph").boundingBox())!;
  await page.mouse.click(box.x + at.x, box.y + at.y);
}

const drawn = (page: Page) =>
  page.evaluate(() => (window as unknown as DocsWindow).SLUICE_DOCS_VIEW.drawn().sort());

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-docs-e2e-"));
  expect(sluice(["init", dir]).code).toBe(0);
  writeFileSync(join(dir, "models/marts/schema.yml"), SCHEMA);
  // One test fails (ES is not an accepted country) and one warns (ES has 1 customer, not 2): the
  // build reports the failure, and the site must show it.
  const build = sluice(["build", "--project-dir", dir]);
  expect(build.code).toBe(1);
  expect(build.stdout).toMatch(/accepted_values_customers_by_country_country/);
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
    await page.waitForFunction(
      () => (window as unknown as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY === true,
    );
    await expect.poll(() => page.locator("#legend").textContent()).toContain("warehouse (duckdb)");

    await page.fill("#search", "tag:finance");
    // The model first, then the tests that inherit its tag.
    await expect.poll(() => page.locator("#results li").allTextContents()).toHaveLength(5);
    expect(await page.locator("#results li").first().textContent()).toBe(
      "customers_by_country model · models/marts/customers_by_country.sql",
    );
    await page.fill("#search", "customers_by");
    await page.press("#search", "Enter");
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("customers_by_country");

    // A description with markup is shown as text and runs nothing.
    expect(await page.locator("#detail-description").textContent()).toContain(
      "<script>window.__injected = 1</script>",
    );
    expect(
      await page.evaluate(() => (window as unknown as { __injected?: number }).__injected),
    ).toBeUndefined();
    expect(await page.locator("#detail script, #detail img").count()).toBe(0);
    // The catalog: columns and types as DuckDB has them after the build, the declared column the
    // model lacks marked as such.
    expect(await page.locator("#detail-columns-from").textContent()).toMatch(
      /^Columns and types as warehouse has them \(read \d{4}-\d\d-\d\dT/,
    );
    expect(await page.locator("#detail-columns").textContent()).toMatch(
      /country.*VARCHAR.*(unique, not_null|not_null, unique)/,
    );
    expect(await page.locator("#detail-columns tr[data-state='present']").allTextContents()).toEqual([
      expect.stringMatching(/^countryVARCHAR/),
      expect.stringMatching(/^customersBIGINT/),
    ]);
    expect(await page.locator("#detail-columns tr[data-state='missing']").textContent()).toBe(
      "region(declared, but not on the engine) Declared, but the model does not select it.",
    );
    // Its row count as the catalog read it from DuckDB (count(*), checked there in docs-catalog.test.ts).
    const rows = (
      JSON.parse(readFileSync(join(dir, "target/catalog.json"), "utf8")) as {
        nodes: Record<string, { rows: number | null }>;
      }
    ).nodes["model.customers_by_country"]!.rows;
    expect(rows).toBeGreaterThan(1);
    expect(await page.locator("#detail-rows").textContent()).toBe(
      `${rows} rows (count(*) when the catalog was read)`,
    );
    await page.locator("[data-section='columns']").screenshot({ path: shot("docs-catalog-columns.png") });
    // The model itself built; its health is its worst test.
    expect(await page.locator("#detail-status").textContent()).toBe("success");
    expect(await page.locator("#detail-health").textContent()).toBe("fail");
    expect(await page.locator("[data-sql='compiled']").textContent()).toContain("group by country");

    // Click the upstream model in the graph, then follow the lineage link to the seed.
    await clickNode(page, "model.stg_customers");
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("stg_customers");
    expect(await page.locator("[data-section='downstream']").textContent()).toContain("customers_by_country");
    await page.locator("[data-section='upstream'] a", { hasText: "customers" }).click();
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("customers");
    expect(await page.locator("[data-section='last run']").textContent()).toMatch(/rows\s*3/);
    // A seed has no partitions in the ledger: the section is not shown at all.
    expect(await page.locator("[data-section='partitions']").count()).toBe(0);

    // Focus on the seed's lineage one step downstream.
    await page.selectOption("#down-depth", "1");
    await page.selectOption("#up-depth", "0");
    await expect.poll(() => page.locator("#status").textContent()).toContain("customers+1");
    await expect.poll(() => drawn(page)).toEqual(["model.stg_customers", "seed.customers"]);

    await page.screenshot({ path: shot("docs-browser.png") });
    expect(existsSync(shot("docs-browser.png"))).toBe(true);
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
    await page.close();
  });
});

describe("sluice docs serve", () => {
  it("serves the generated site on 127.0.0.1 and prints the address", async () => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, "bin/sluice.js"), "docs", "serve", "--project-dir", dir, "--port", "0"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
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
      const csp = index.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'none'");
      // The site works under its own policy: no violation, no error, the graph and panel drawn.
      if (browser) {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on("pageerror", (e) => problems.push(String(e)));
        page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
        await page.goto(`${url}#!/model.customers_by_country`);
        await page.waitForFunction(
          () => (window as unknown as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY === true,
        );
        await expect.poll(() => page.locator("#detail-tests tr").count()).toBe(5);
        expect(problems).toEqual([]);
        await page.close();
      }
    } finally {
      child.kill();
    }
  });
});

describe.skipIf(!hasChromium)("docs site tells the truth about tests", () => {
  async function open(hash = "") {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(join(dir, "target/docs/index.html")).href + hash);
    await page.waitForFunction(
      () => (window as unknown as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY === true,
    );
    return { page, errors };
  }

  it("lists the failed and warned tests on the landing page, worst first, with failing rows", async () => {
    const { page, errors } = await open();
    const rows = await page.locator("#landing-failures tr").allTextContents();
    expect(rows.slice(1)).toEqual([
      "failaccepted_values_customers_by_country_country1customers_by_country",
      "warnaccepted_values_customers_by_country_customers1customers_by_country",
    ]);
    expect(await page.locator("#generated-at").textContent()).toMatch(
      /^Site generated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
    );
    await page.screenshot({ path: shot("landing.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows each test's last outcome and failing rows on its model's page, and a red badge in the graph", async () => {
    const { page, errors } = await open("#!/model.customers_by_country");
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("customers_by_country");
    const tests = await page
      .locator("#detail-tests tr")
      .evaluateAll((trs) =>
        trs.slice(1).map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
      );
    expect(tests).toEqual([
      ["accepted_values_customers_by_country_country", "country", "fail", "1"],
      ["accepted_values_customers_by_country_customers", "customers", "warn", "1"],
      ["not_null_customers_by_country_country", "country", "pass", "0"],
      ["unique_customers_by_country_country", "country", "pass", "0"],
    ]);
    // In the graph the model's label says it failed, and the overlay rings it in red.
    const label = (id: string) =>
      page.evaluate((key) => (window as unknown as DocsWindow).SLUICE_DOCS_VIEW.label(key), id);
    expect(await label("model.customers_by_country")).toBe("✗ customers_by_country");
    expect(await label("model.stg_customers")).toBe("stg_customers");
    const redAround = (id: string) =>
      page.evaluate((nodeId) => {
        const at = (window as unknown as DocsWindow).SLUICE_DOCS_VIEW.screenPosition(nodeId)!;
        const canvas = document.getElementById("graph-overlay") as HTMLCanvasElement;
        const ratio = canvas.width / canvas.clientWidth;
        const size = Math.round(80 * ratio);
        const pixels = canvas
          .getContext("2d")!
          .getImageData(
            Math.round(at.x * ratio) - size / 2,
            Math.round(at.y * ratio) - size / 2,
            size,
            size,
          ).data;
        let red = 0;
        for (let k = 0; k < pixels.length; k += 4)
          if (pixels[k]! > 150 && pixels[k + 1]! < 80 && pixels[k + 2]! < 80 && pixels[k + 3]! > 100) red++;
        return red;
      }, id);
    await expect.poll(() => redAround("model.customers_by_country")).toBeGreaterThan(20);
    expect(await redAround("model.stg_customers")).toBe(0);
    // The model's SQL has no incremental variant, and no empty section is shown.
    expect(await page.locator("[data-sql='compiled incremental']").count()).toBe(0);
    expect(await page.locator("[data-section='partitions']").count()).toBe(0);
    await page.screenshot({ path: shot("model-tests.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("labels every drawn node by its whole name and lists tests by theirs, so no two read the same", async () => {
    const { page } = await open("#!/model.customers_by_country");
    const keys = await drawn(page);
    const labels = await page.evaluate(
      (ks) => ks.map((k) => (window as unknown as DocsWindow).SLUICE_DOCS_VIEW.label(k)),
      keys,
    );
    expect(labels.sort()).toEqual(["stg_customers", "▤ customers", "✗ customers_by_country"]);
    const tests = await page.locator("#detail-tests tr td:first-child").allTextContents();
    expect(tests.filter((t) => t.startsWith("accepted_values_customers_by_country_"))).toHaveLength(2);
    expect(new Set(tests).size).toBe(tests.length);
    await page.close();
  });

  it("shows a test's config as readable key/values, not JSON", async () => {
    const { page } = await open("#!/test.accepted_values_customers_by_country_customers");
    await expect
      .poll(() => page.locator("#detail-name").textContent())
      .toBe("accepted_values_customers_by_country_customers");
    const config = (await page.locator("[data-section='config']").textContent())!;
    expect(config).toContain("severitywarn");
    expect(config).toContain("values2");
    expect(config).not.toMatch(/[{}"]/);
    await page.close();
  });

  it.each([
    ["#!/model.customers_by_country%", /malformed/],
    ["#!/model.nothing_here", /model\.nothing_here, which is not in this project/],
  ])("falls back to the landing page with a message for the link %s", async (hash, message) => {
    const { page, errors } = await open(hash);
    expect(await page.locator("#notice").isVisible()).toBe(true);
    expect(await page.locator("#notice").textContent()).toMatch(message);
    const project = await page.evaluate(
      () => (window as unknown as { SLUICE_DOCS: { project: string } }).SLUICE_DOCS.project,
    );
    expect(await page.locator("#detail-name").textContent()).toBe(project);
    await page.screenshot({ path: shot("bad-link.png") });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!hasChromium)("docs site search and filters", () => {
  async function open(hash = "") {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(pathToFileURL(join(dir, "target/docs/index.html")).href + hash);
    await page.waitForFunction(
      () => (window as unknown as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY === true,
    );
    return page;
  }
  const results = async (page: Page, query: string) => {
    await page.fill("#search", query);
    await expect.poll(() => page.locator("#match-count").textContent()).not.toBe("");
    return page.locator("#results li").allTextContents();
  };
  const names = (rows: string[]) => rows.map((r) => r.split(" ")[0]);

  it("finds text in descriptions and SQL, and says where it matched", async () => {
    const page = await open();
    expect(await results(page, "upper(country)")).toEqual([
      "stg_customers model · models/staging/stg_customers.sql · SQL",
    ]);
    expect(await results(page, "customers per country")).toEqual([
      "customers_by_country model · models/marts/customers_by_country.sql · description",
    ]);
    await page.close();
  });

  it("runs the CLI's selector language, with graph operators and --exclude", async () => {
    const page = await open();
    expect(names(await results(page, "tag:finance --exclude test_type:accepted_values"))).toEqual([
      "customers_by_country",
      "not_null_customers_by_country_country",
      "unique_customers_by_country_country",
    ]);
    expect(names(await results(page, "+customers_by_country --exclude resource_type:test"))).toEqual([
      "customers_by_country",
      "stg_customers",
      "customers",
    ]);
    expect(names(await results(page, "@stg_customers --exclude resource_type:test"))).toEqual([
      "customers_by_country",
      "stg_customers",
      "customers",
    ]);
    expect(names(await results(page, "config.materialized:table --exclude resource_type:test"))).toEqual([
      "customers_by_country",
    ]);
    expect(await results(page, "nosuch_model+")).toEqual([
      expect.stringMatching(/'nosuch_model\+' matches no node/),
    ]);
    // Enter on a lineage selector focuses on it with its depths.
    await page.fill("#search", "stg_customers+1");
    await page.press("#search", "Enter");
    await expect.poll(() => page.locator("#status").textContent()).toContain("lineage stg_customers+1");
    await expect.poll(() => drawn(page)).toEqual(["model.customers_by_country", "model.stg_customers"]);
    await page.close();
  });

  it("filters the graph and the results by status and by resource type", async () => {
    const page = await open();
    await page.selectOption("#filter-status", "fail");
    await expect.poll(() => drawn(page)).toEqual(["model.customers_by_country"]);
    expect(names(await results(page, "customers"))).toEqual([
      "customers_by_country",
      "accepted_values_customers_by_country_country",
    ]);
    await page.selectOption("#filter-status", "");
    await page.selectOption("#filter-type", "seed");
    await expect.poll(() => drawn(page)).toEqual(["seed.customers"]);
    expect(await page.evaluate(() => location.hash)).toContain("type=seed");
    await page.screenshot({ path: shot("filters.png") });
    await page.close();
  });
});

describe.skipIf(!hasChromium)("docs site column lineage", () => {
  it("follows a column across models: its input, its origin, and the columns computed from it", async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(
      `${pathToFileURL(join(dir, "target/docs/index.html")).href}#!/model.customers_by_country`,
    );
    await page.waitForFunction(
      () => (window as unknown as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY === true,
    );
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("customers_by_country");
    const country = page.locator("#detail-column-lineage tr[data-column='country']");
    expect(await country.locator("[data-cell='from']").textContent()).toBe("stg_customers.country");
    expect(await country.locator("[data-cell='origin']").textContent()).toBe("customers.country");
    await country.locator("[data-cell='from'] a").click();
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("stg_customers");
    // Undeclared columns are listed too: after a build, as the engine has them.
    expect(await page.locator("#detail-columns tr[data-state='undeclared']").allTextContents()).toEqual([
      "customer_idBIGINT(on the engine; not declared)",
      "nameVARCHAR(on the engine; not declared)",
      "countryVARCHAR(on the engine; not declared)",
    ]);
    const used = page.locator("#detail-column-lineage tr[data-column='country'] [data-cell='used-by']");
    expect(await used.textContent()).toBe("customers_by_country.country");
    await page.screenshot({ path: shot("column-lineage.png") });
    await page.close();
  });
});
