import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticManifest } from "../../bench/docs/run.js";
import { generateDocs } from "../../src/docs/generate.js";

// The docs site of a synthetic 3,000-model project (the bench's generator: 300 sources, six
// folders of models over three connections) in Debian's chromium: the grouped overview, expanding
// groups, zoom, fit, minimap, keyboard, dark mode and the view's state in the address.
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log("skipped: no chromium (apt-get install chromium)");
const shot = (name: string) => join(process.env.SLUICE_DOCS_SHOTS ?? dir, name);

type View = {
  SLUICE_DOCS_VIEW: {
    screenPosition(id: string): { x: number; y: number } | null;
    drawn(): string[];
    label(key: string): string | null;
    camera(): { x: number; y: number; ratio: number };
    sigmaFrames(): number;
  };
  SLUICE_DOCS_READY?: boolean;
};

let dir: string;
let browser: Browser | undefined;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-docs-scale-"));
  const site = await generateDocs(syntheticManifest(3000, 300), dir, {
    runResults: null,
    now: () => new Date("2026-02-03T04:05:06Z"),
  });
  url = pathToFileURL(join(site.dir, "index.html")).href;
  if (hasChromium) browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(
  hash = "",
  colorScheme: "light" | "dark" = "light",
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 }, colorScheme });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url + hash);
  await page.waitForFunction(() => (window as unknown as View).SLUICE_DOCS_READY === true);
  return { page, errors };
}
const drawn = (page: Page) => page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.drawn());
const camera = (page: Page) => page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.camera());
async function clickAt(page: Page, key: string): Promise<void> {
  const at = await page.evaluate((k) => {
    const v = (window as unknown as View).SLUICE_DOCS_VIEW;
    return k.startsWith("group:") ? null : v.screenPosition(k);
  }, key);
  const box = (await page.locator("#graph").boundingBox())!;
  if (at) return page.mouse.click(box.x + at.x, box.y + at.y);
  throw new Error(`${key} not drawn`);
}

describe.skipIf(!hasChromium)("docs site at scale", () => {
  it("opens on the folders as collapsed groups with their counts and the edges between them", async () => {
    const { page, errors } = await open();
    const keys = (await drawn(page)).sort();
    expect(keys).toEqual([
      "group:models",
      "group:models/lake/layer_1",
      "group:models/lake/layer_2",
      "group:models/lake/layer_3",
      "group:models/lake/layer_4",
      "group:models/mart/layer_5",
      "group:models/mart/layer_6",
    ]);
    expect(
      await page.evaluate(() =>
        (window as unknown as View).SLUICE_DOCS_VIEW.label("group:models/lake/layer_1"),
      ),
    ).toBe("▸ models/lake/layer_1 (500 nodes)");
    const edges = await page.evaluate(() => {
      const g = (
        window as unknown as { SLUICE_DOCS_VIEW: { edges(): { from: string; to: string; count: number }[] } }
      ).SLUICE_DOCS_VIEW.edges();
      return g;
    });
    // Every model of layer 1 reads 1–3 sources: the merged edge counts them all.
    const fromSources = edges.find((e) => e.from === "group:models" && e.to === "group:models/lake/layer_1")!;
    expect(fromSources.count).toBeGreaterThanOrEqual(500);
    expect(await page.locator("#group-list .group-row").allTextContents()).toContain(
      " models/lake/layer_1 (500)",
    );
    await page.screenshot({ path: shot("scale-overview.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("opens a group in place when its checkbox is ticked, and every group with open all", async () => {
    const { page } = await open();
    await page.locator("[data-group='models/lake/layer_2']").check();
    const keys = await drawn(page);
    expect(keys.filter((k) => k.startsWith("model.lake_l2_")).length).toBe(500);
    expect(keys).toContain("group:models/lake/layer_1");
    expect(await page.evaluate(() => location.hash)).toContain("open=models%2Flake%2Flayer_2");
    await page.click("#expand-all");
    expect((await drawn(page)).length).toBe(3300);
    await page.screenshot({ path: shot("scale-all-open.png") });
    await page.close();
  });

  it("zooms with the buttons and the keyboard, fits again, and moves the view from the minimap", async () => {
    const { page } = await open();
    const start = await camera(page);
    await page.click("#zoom-in");
    await expect.poll(async () => (await camera(page)).ratio).toBeLessThan(start.ratio * 0.8);
    await page.click("#zoom-fit");
    await expect.poll(async () => (await camera(page)).ratio).toBe(1);
    await page.focus("#graph");
    await page.keyboard.press("+");
    await expect.poll(async () => (await camera(page)).ratio).toBeLessThan(0.8);
    await page.keyboard.press("0");
    await expect.poll(async () => (await camera(page)).ratio).toBe(1);
    const box = (await page.locator("#minimap").boundingBox())!;
    await page.mouse.click(box.x + 5, box.y + box.height / 2);
    expect((await camera(page)).x).toBeLessThan(0.3);
    await page.close();
  });

  it("walks the lineage with the arrow keys and focuses with Enter", async () => {
    const { page } = await open("#!/model.lake_l2_600");
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("lake_l2_600");
    await page.focus("#graph");
    await page.keyboard.press("ArrowLeft");
    const upstream = (await page.locator("#detail-name").textContent())!;
    expect(upstream).toMatch(/^(lake_l1_\d+|table_\d+)$/);
    expect(await page.evaluate(() => location.hash)).toContain(
      encodeURIComponent(upstream.startsWith("table_") ? "source.erp." : "model.lake_l1_"),
    );
    await page.keyboard.press("ArrowRight");
    expect(await page.locator("#detail-name").textContent()).not.toBe(upstream);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/lineage/);
    await page.close();
  });

  it("keeps focus, depth, selection, grouping and filters in the address, and restores them", async () => {
    const { page } = await open(
      "#!/model.lake_l3_1100?focus=model.lake_l3_1100&up=1&down=1&group=connection&type=model",
    );
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe("lake_l3_1100");
    expect(await page.locator("#up-depth").inputValue()).toBe("1");
    expect(await page.locator("#grouping").inputValue()).toBe("connection");
    expect(await page.locator("#filter-type").inputValue()).toBe("model");
    const keys = await drawn(page);
    expect(keys).toContain("model.lake_l3_1100");
    // One step each way, models only: no source, nothing two steps away.
    expect(keys.every((k) => k.startsWith("model."))).toBe(true);
    expect(keys.length).toBeLessThan(30);
    await page.selectOption("#filter-conn", "lake");
    expect(await page.evaluate(() => location.hash)).toMatch(/conn=lake/);
    const again = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    await again.goto(url + (await page.evaluate(() => location.hash)));
    await again.waitForFunction(() => (window as unknown as View).SLUICE_DOCS_READY === true);
    expect((await drawn(again)).sort()).toEqual((await drawn(page)).sort());
    expect(await again.locator("#filter-conn").inputValue()).toBe("lake");
    await page.close();
    await again.close();
  });

  it("follows the system's dark mode", async () => {
    const { page } = await open("", "dark");
    const background = await page.evaluate(
      () => getComputedStyle(document.getElementById("detail")!).backgroundColor,
    );
    expect(background).toBe("rgb(29, 32, 36)");
    await page.screenshot({ path: shot("scale-dark.png") });
    await page.close();
    const light = await open("", "light");
    expect(
      await light.page.evaluate(() => getComputedStyle(document.getElementById("detail")!).backgroundColor),
    ).toBe("rgb(255, 255, 255)");
    await light.page.close();
  });

  it("selects a node drawn in an open group when it is clicked", async () => {
    const { page } = await open("#!/?open=models%2Flake%2Flayer_1");
    await page.click("#zoom-fit");
    await clickAt(page, "model.lake_l1_10");
    await expect.poll(() => page.locator("#detail-name").textContent()).toMatch(/^lake_l1_\d+$/);
    await page.close();
  });
});

describe.skipIf(!hasChromium)("docs site search at scale", () => {
  it("marks a click's selection and a search's matches on the overlay alone, drawing no WebGL frame", async () => {
    const { page, errors } = await open("#!/model.lake_l1_10?open=models%2Flake%2Flayer_1");
    const frames = () => page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.sigmaFrames());
    // Let the opening frames (and the camera's move to the linked node) finish.
    let settled = -1;
    await expect
      .poll(async () => {
        const [before] = [await frames(), await page.waitForTimeout(400)];
        const same = before === (await frames());
        settled = before;
        return same;
      })
      .toBe(true);
    const box = (await page.locator("#graph").boundingBox())!;
    /** Drawn model nodes well inside the pane, with where they are. */
    const onScreen = () =>
      page.evaluate(
        ({ w, h }) => {
          const v = (window as unknown as View).SLUICE_DOCS_VIEW;
          return v
            .drawn()
            .filter((k) => k.startsWith("model."))
            .map((k) => ({ id: k, at: v.screenPosition(k)! }))
            .filter(({ at }) => at.x > 80 && at.y > 80 && at.x < w - 80 && at.y < h - 80);
        },
        { w: box.width, h: box.height },
      );
    const target = (await onScreen()).find((n) => n.id !== "model.lake_l1_10")!;
    await page.mouse.click(box.x + target.at.x, box.y + target.at.y);
    await expect
      .poll(() => page.locator("#detail-name").textContent())
      .toBe(target.id.slice("model.".length));
    expect(await frames()).toBe(settled);

    // The overlay veils what does not match and leaves a match clear (one the selection's
    // highlighted edges do not end at).
    const alpha = (x: number, y: number) =>
      page.evaluate(
        ([px, py]) =>
          (document.getElementById("graph-overlay") as HTMLCanvasElement)
            .getContext("2d")!
            .getImageData(Math.round(px!), Math.round(py!), 1, 1).data[3],
        [x, y],
      );
    const neighbours = await page.evaluate((id) => {
      const nodes = (window as unknown as { SLUICE_DOCS: { nodes: { id: string; upstream: number[] }[] } })
        .SLUICE_DOCS.nodes;
      const at = nodes.findIndex((n) => n.id === id);
      return [
        id,
        ...nodes[at]!.upstream.map((u) => nodes[u]!.id),
        ...nodes.filter((n) => n.upstream.includes(at)).map((n) => n.id),
      ];
    }, target.id);
    const visible = (await onScreen()).filter((n) => !neighbours.includes(n.id));
    // The longest name: a prefix of few others, so most of the screen does not match.
    const match = visible.reduce((a, b) => (b.id.length > a.id.length ? b : a));
    const name = match.id.slice("model.".length);
    await page.fill("#search", name);
    await expect.poll(() => page.locator("#match-count").textContent()).toMatch(/^\d+ match(es)?$/);
    await page.waitForTimeout(300);
    expect(await frames()).toBe(settled);
    // Away from the match and from where its label is written (to its right).
    const other = visible.find(
      (n) =>
        !n.id.startsWith(match.id) &&
        Math.hypot(n.at.x - match.at.x, n.at.y - match.at.y) > 40 &&
        !(Math.abs(n.at.y - match.at.y) < 20 && n.at.x > match.at.x && n.at.x < match.at.x + 200),
    )!;
    expect(await alpha(match.at.x, match.at.y)).toBe(0);
    expect(await alpha(other.at.x, other.at.y)).toBeGreaterThan(150);
    await page.screenshot({ path: shot("docs-scale-search-veil.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("finds every model by a column name, marks them all, and lists more than fifty", async () => {
    const { page } = await open();
    await page.fill("#search", "customer_id");
    await expect.poll(() => page.locator("#match-count").textContent()).toBe("3000 matches");
    expect(await page.locator("#results li").count()).toBe(201);
    expect(await page.locator("#results li").first().textContent()).toMatch(/ · column customer_id$/);
    await page.close();
  });

  it("selects a source's descendants with source: and a connection with the filter", async () => {
    const { page } = await open();
    await page.fill("#search", "source:erp --exclude resource_type:model");
    await expect.poll(() => page.locator("#match-count").textContent()).toBe("300 matches");
    await page.fill("#search", "");
    await page.selectOption("#filter-conn", "mart");
    await expect
      .poll(async () => (await drawn(page)).sort())
      .toEqual(["group:models/mart/layer_5", "group:models/mart/layer_6"]);
    await page.close();
  });
});

describe.skipIf(!hasChromium)("docs site minimap", () => {
  it("frames the viewport: the whole map when fitted, a small box when zoomed in", async () => {
    const { page } = await open();
    // The frame is drawn in black on the minimap; measure its extent in pixels.
    const frame = () =>
      page.evaluate(() => {
        const c = document.getElementById("minimap") as HTMLCanvasElement;
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
        for (let y = 0; y < c.height; y++)
          for (let x = 0; x < c.width; x++) {
            const k = (y * c.width + x) * 4;
            if (d[k]! < 30 && d[k + 1]! < 30 && d[k + 2]! < 30 && d[k + 3]! > 200)
              [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
          }
        return { width: x1 - x0, height: y1 - y0, cx: (x0 + x1) / 2 };
      });
    // The minimap redraws after the camera's animation ends, later on a loaded machine: poll.
    const settle = { timeout: 15_000, interval: 200 };
    await expect.poll(async () => (await frame()).width, settle).toBeGreaterThan(150);
    const fitted = await frame();
    await page.click("#zoom-in");
    await page.click("#zoom-in");
    await page.click("#zoom-in");
    await expect
      .poll(async () => {
        const w = (await frame()).width;
        return w > 5 && w < fitted.width / 2;
      }, settle)
      .toBe(true);
    await page.close();
  });
});
