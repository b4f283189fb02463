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
    hitAt(x: number, y: number): string | null;
    pendingMove(): { k: number; tx: number; ty: number };
    gestureCommits(): number;
    culled(): string[];
    culledEdges(): [string | null, string | null][];
    edges(): { from: string; to: string; count: number }[];
    blocks(): boolean;
    drawnNode(key: string): { x: number; y: number; label: string } | null;
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
    // The first screenful is listed at once, the rest of the 200 (and the "more" line) after.
    await expect.poll(() => page.locator("#results li").count()).toBe(201);
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

describe.skipIf(!hasChromium)("docs site pan, zoom and pointer at scale", () => {
  const frames = (page: Page) =>
    page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.sigmaFrames());
  const at = (page: Page, key: string) =>
    page.evaluate((k) => (window as unknown as View).SLUICE_DOCS_VIEW.screenPosition(k)!, key);
  const hit = (page: Page, x: number, y: number) =>
    page.evaluate(([px, py]) => (window as unknown as View).SLUICE_DOCS_VIEW.hitAt(px!, py!), [x, y]);
  const pending = (page: Page) =>
    page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.pendingMove());
  const still = (page: Page) =>
    expect
      .poll(async () => {
        const before = await frames(page);
        await page.waitForTimeout(300);
        return before === (await frames(page));
      })
      .toBe(true);
  /**
   * Every group open (3,300 nodes in the view), zoomed in from the whole view (where open groups
   * are drawn as blocks) until nodes are drawn, and no frame still to come.
   */
  async function allOpen(): Promise<{
    page: Page;
    errors: string[];
    box: { x: number; y: number; width: number; height: number };
  }> {
    const { page, errors } = await open();
    await page.click("#expand-all");
    await still(page);
    await page.focus("#graph");
    for (
      let k = 0;
      k < 8 && (await page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.blocks()));
      k++
    ) {
      await page.keyboard.press("+");
      await expect
        .poll(() => page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.pendingMove().k))
        .toBe(1);
    }
    await still(page);
    return { page, errors, box: (await page.locator("#graph").boundingBox())! };
  }
  /** A drawn model node near the pane's centre. */
  async function central(page: Page, w: number, h: number): Promise<string> {
    return page.evaluate(
      ({ w, h }) => {
        const v = (window as unknown as View).SLUICE_DOCS_VIEW;
        let best = "";
        let d = Infinity;
        for (const k of v.culled()) {
          if (!k.startsWith("model.")) continue;
          const p = v.screenPosition(k)!;
          const e = Math.hypot(p.x - w / 2, p.y - h / 2);
          if (e < d) [best, d] = [k, e];
        }
        return best;
      },
      { w, h },
    );
  }

  it("pans by moving the drawn picture, draws no frame while dragging and one at release", async () => {
    const { page, errors, box } = await allOpen();
    const node = await central(page, box.width, box.height);
    const start = await at(page, node);
    const before = await frames(page);
    await page.mouse.move(box.x + start.x, box.y + start.y);
    await page.mouse.down();
    await page.mouse.move(box.x + start.x + 60, box.y + start.y + 20, { steps: 2 });
    await page.mouse.move(box.x + start.x + 120, box.y + start.y + 60, { steps: 3 });
    expect(await page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.pendingMove())).toEqual({
      k: 1,
      tx: 120,
      ty: 60,
    });
    const moved = await at(page, node);
    expect(moved.x).toBeCloseTo(start.x + 120, 5);
    expect(moved.y).toBeCloseTo(start.y + 60, 5);
    expect(
      await page.evaluate(() => getComputedStyle(document.querySelector("#graph canvas")!).transform),
    ).toBe("matrix(1, 0, 0, 1, 120, 60)");
    expect(await frames(page)).toBe(before);
    await page.mouse.up();
    await expect.poll(() => frames(page)).toBe(before + 1);
    await page.waitForTimeout(300);
    expect(await frames(page)).toBe(before + 1);
    // The camera took the drag: the node is drawn where the picture left it, and is hit there.
    const after = await at(page, node);
    expect(after.x).toBeCloseTo(start.x + 120, 1);
    expect(after.y).toBeCloseTo(start.y + 60, 1);
    expect(await hit(page, after.x, after.y)).toBe(node);
    expect(
      await page.evaluate(() => getComputedStyle(document.querySelector("#graph canvas")!).transform),
    ).toBe("none");
    // A drag that started on a node selected nothing: the panel still shows the project.
    expect(await page.locator("#detail-name").textContent()).toBe("bench");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("zooms a wheel step about the pointer at once, then redraws once at the zoom shown", async () => {
    const { page, errors, box } = await allOpen();
    const node = await central(page, box.width, box.height);
    const start = await at(page, node);
    const ratio = (await camera(page)).ratio;
    const before = await frames(page);
    await page.mouse.move(box.x + start.x, box.y + start.y);
    await page.mouse.wheel(0, -240);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.pendingMove().k))
      .toBeCloseTo(1.7, 5);
    expect(await frames(page)).toBe(before);
    await expect.poll(async () => (await camera(page)).ratio).toBeCloseTo(ratio / 1.7, 6);
    await page.waitForTimeout(300);
    expect(await frames(page)).toBe(before + 1);
    // The point under the pointer stayed under it (the pointer sits on whole pixels).
    const after = await at(page, node);
    expect(Math.abs(after.x - start.x)).toBeLessThan(1);
    expect(Math.abs(after.y - start.y)).toBeLessThan(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("hits the node under the pointer, the nearer of two neighbours, and none on empty space", async () => {
    const { page, errors, box } = await allOpen();
    // Zoomed in just past the blocks, every node is a dot of a few pixels: each drawn node on
    // screen is still hit at its own centre.
    const sample = await page.evaluate(
      ({ w, h }) => {
        const v = (window as unknown as View).SLUICE_DOCS_VIEW;
        return v
          .culled()
          .filter((k) => k.startsWith("model."))
          .filter((k) => {
            const p = v.screenPosition(k)!;
            return p.x > 0 && p.y > 0 && p.x < w && p.y < h;
          })
          .filter((_k, i) => i % 7 === 0)
          .map((k) => ({
            k,
            p: v.screenPosition(k)!,
            hit: v.hitAt(v.screenPosition(k)!.x, v.screenPosition(k)!.y),
          }));
      },
      { w: box.width, h: box.height },
    );
    expect(sample.length).toBeGreaterThan(40);
    expect(sample.filter((s) => s.hit !== s.k)).toEqual([]);
    // Zoomed in on one node, with its neighbour in the column below.
    const node = await central(page, box.width, box.height);
    const p = await at(page, node);
    await page.mouse.move(box.x + p.x, box.y + p.y);
    for (let k = 0; k < 6; k++) await page.mouse.wheel(0, -240);
    await expect.poll(async () => (await camera(page)).ratio).toBeLessThan(0.05);
    // Every step taken: on a loaded machine the wheel can rest (and redraw) between two of them.
    await expect.poll(async () => (await pending(page)).k).toBe(1);
    await still(page);
    const pair = await page.evaluate((k) => {
      const v = (window as unknown as View).SLUICE_DOCS_VIEW;
      const a = v.screenPosition(k)!;
      let below = "";
      let d = Infinity;
      for (const o of v.culled()) {
        if (!o.startsWith("model.") || o === k) continue;
        const q = v.screenPosition(o)!;
        if (Math.abs(q.x - a.x) < 1 && q.y > a.y && q.y - a.y < d) [below, d] = [o, q.y - a.y];
      }
      return { below, a, b: v.screenPosition(below)! };
    }, node);
    expect(await hit(page, pair.a.x, pair.a.y)).toBe(node);
    const radius = await page.evaluate(
      ([x, y]) => {
        const v = (window as unknown as View).SLUICE_DOCS_VIEW;
        const k = v.hitAt(x!, y!);
        let r = 0;
        while (r < 200 && v.hitAt(x!, y! - r - 1) === k) r++;
        return r;
      },
      [pair.a.x, pair.a.y],
    );
    // Wider than the least distance that counts as a hit (4 px), so the disc itself decides.
    expect(radius).toBeGreaterThan(6);
    const gap = pair.b.y - pair.a.y;
    expect(gap).toBeGreaterThan(2 * radius + 4);
    expect(await hit(page, pair.a.x, pair.a.y + radius * 0.8)).toBe(node);
    expect(await hit(page, pair.b.x, pair.b.y - radius * 0.8)).toBe(pair.below);
    expect(await hit(page, pair.a.x, pair.a.y + gap / 2)).toBeNull();
    // A real click at the edge of the lower disc selects the lower node.
    await page.mouse.click(box.x + pair.b.x, box.y + pair.b.y - radius * 0.8);
    await expect
      .poll(() => page.locator("#detail-name").textContent())
      .toBe(pair.below.slice("model.".length));
    // A click between them changes nothing.
    await page.mouse.click(box.x + pair.a.x, box.y + pair.a.y + gap / 2);
    await page.waitForTimeout(400);
    expect(await page.locator("#detail-name").textContent()).toBe(pair.below.slice("model.".length));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("draws only what is in view when zoomed in, edges off it as stubs, anew where a pan goes", async () => {
    const { page, errors, box } = await allOpen();
    /** Model nodes of the view on screen, and whether sigma draws each. */
    const onScreen = () =>
      page.evaluate(
        ({ w, h }) => {
          const v = (window as unknown as View).SLUICE_DOCS_VIEW;
          const culled = new Set(v.culled());
          const inside = v.drawn().filter((k) => {
            const p = v.screenPosition(k);
            return k.startsWith("model.") && p !== null && p.x > 0 && p.y > 0 && p.x < w && p.y < h;
          });
          return { inside, missing: inside.filter((k) => !culled.has(k)), culled: culled.size };
        },
        { w: box.width, h: box.height },
      );
    // Four zoom steps further in than where the blocks open. What is drawn is what is in view and
    // the far ends of the edges that cross it (in this project, many: each model reads 1–3 random
    // models of the layer before).
    for (let k = 0; k < 4; k++) {
      await page.keyboard.press("+");
      await expect.poll(async () => (await pending(page)).k).toBe(1);
    }
    await still(page);
    const before = await onScreen();
    expect(before.inside.length).toBeGreaterThan(20);
    expect(before.missing).toEqual([]);
    expect(before.culled).toBeLessThan((await drawn(page)).length / 2);
    // A pan of a whole pane's width: what comes into view is drawn, and hit where it is.
    const frames0 = await frames(page);
    await page.mouse.move(box.x + box.width - 10, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 10, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => frames(page)).toBe(frames0 + 1);
    const after = await onScreen();
    expect(after.inside.length).toBeGreaterThan(20);
    expect(after.inside.filter((k) => before.inside.includes(k)).length).toBeLessThan(after.inside.length);
    expect(after.missing).toEqual([]);
    const node = await central(page, box.width, box.height);
    const p = await at(page, node);
    expect(await hit(page, p.x, p.y)).toBe(node);
    // Each of its edges is drawn: whole to a drawn node, as a stub (no far end) to one outside.
    const edges = await page.evaluate((k) => {
      const v = (window as unknown as View).SLUICE_DOCS_VIEW;
      const culled = new Set(v.culled());
      const all = v.edges().filter((e) => e.from === k || e.to === k);
      const drawnEdges = v.culledEdges().filter(([from, to]) => from === k || to === k);
      const other = (e: { from: string; to: string }) => (e.from === k ? e.to : e.from);
      return {
        whole: all.filter((e) => culled.has(other(e))).length,
        outside: all.filter((e) => !culled.has(other(e))).length,
        drawnWhole: drawnEdges.filter(([from, to]) => from !== null && to !== null).length,
        stubs: drawnEdges.filter(([from, to]) => from === null || to === null).length,
        endless: v.culledEdges().filter(([from, to]) => from === null && to === null).length,
      };
    }, node);
    expect(edges.whole + edges.outside).toBeGreaterThan(0);
    expect(edges.drawnWhole).toBe(edges.whole);
    expect(edges.stubs).toBe(edges.outside);
    expect(edges.endless).toBe(0);
    // Selected, its edges are drawn whole on the overlay, past where a stub ends (40 px).
    // (Later than sigma's double-click timeout after the drag's release, which it counts as a click.)
    await page.waitForTimeout(600);
    await clickAt(page, node);
    await expect.poll(() => page.locator("#detail-name").textContent()).toBe(node.slice("model.".length));
    expect(await page.locator("#status").textContent()).toMatch(/groups open · selected/);
    const ink = await page.evaluate((k) => {
      const v = (window as unknown as View).SLUICE_DOCS_VIEW;
      const a = v.screenPosition(k)!;
      // Its neighbour farthest on screen.
      let b = a;
      for (const e of v.edges()) {
        if (e.from !== k && e.to !== k) continue;
        const q = v.screenPosition(e.from === k ? e.to : e.from)!;
        if (Math.hypot(q.x - a.x, q.y - a.y) > Math.hypot(b.x - a.x, b.y - a.y)) b = q;
      }
      const d = Math.hypot(b.x - a.x, b.y - a.y);
      if (d < 120) return { d, most: -1 };
      const [x, y] = [a.x + ((b.x - a.x) * 80) / d, a.y + ((b.y - a.y) * 80) / d];
      const c = (document.getElementById("graph-overlay") as HTMLCanvasElement).getContext("2d")!;
      const r = window.devicePixelRatio || 1;
      const px = c.getImageData(Math.round(x * r) - 2, Math.round(y * r) - 2, 5, 5).data;
      let most = 0;
      for (let i = 3; i < px.length; i += 4) most = Math.max(most, px[i]!);
      return { d, most };
    }, node);
    expect(ink.d).toBeGreaterThan(120);
    expect(ink.most).toBeGreaterThan(100);
    await page.screenshot({ path: shot("scale-culled.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("draws open groups as blocks with their counts when zoomed out, and zooms in on a click", async () => {
    const { page, errors } = await open();
    await page.click("#expand-all");
    await still(page);
    expect(await page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.blocks())).toBe(true);
    expect((await page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.culled())).sort()).toEqual(
      [
        "block:models",
        "block:models/lake/layer_1",
        "block:models/lake/layer_2",
        "block:models/lake/layer_3",
        "block:models/lake/layer_4",
        "block:models/mart/layer_5",
        "block:models/mart/layer_6",
      ],
    );
    expect((await drawn(page)).length).toBe(3300);
    const block = (await page.evaluate(
      () => (window as unknown as View).SLUICE_DOCS_VIEW.drawnNode("block:models/lake/layer_2")!,
    ))!;
    expect(block.label).toBe("▾ models/lake/layer_2 (500 nodes)");
    await page.screenshot({ path: shot("scale-blocks.png") });
    const box = (await page.locator("#graph").boundingBox())!;
    await page.mouse.click(box.x + block.x, box.y + block.y);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as View).SLUICE_DOCS_VIEW.blocks()))
      .toBe(false);
    // The block's nodes are drawn now, around the pane's centre, and nothing was selected.
    const layer2 = await page.evaluate(() =>
      (window as unknown as View).SLUICE_DOCS_VIEW.culled().filter((k) => k.startsWith("model.lake_l2_")),
    );
    expect(layer2.length).toBeGreaterThan(20);
    const node = await central(page, box.width, box.height);
    expect(node).toMatch(/^model\.lake_l2_/);
    expect(await page.locator("#detail-name").textContent()).toBe("bench");
    await page.screenshot({ path: shot("scale-block-opened.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("pans and pinches by touch, moving the drawn picture, and redraws once the fingers lift", async () => {
    const context = await browser!.newContext({ viewport: { width: 1400, height: 900 }, hasTouch: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as View).SLUICE_DOCS_READY === true);
    await still(page);
    const box = (await page.locator("#graph").boundingBox())!;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    const touch = await context.newCDPSession(page);
    const send = (type: string, points: [number, number][]) =>
      touch.send("Input.dispatchTouchEvent", {
        type: type as "touchStart",
        touchPoints: points.map(([x, y], id) => ({ x, y, id })),
      });
    const start = await camera(page);
    const frames0 = await frames(page);
    await send("touchStart", [[cx, cy]]);
    for (let k = 1; k <= 4; k++) await send("touchMove", [[cx + 30 * k, cy + 10 * k]]);
    await expect.poll(() => pending(page)).toEqual({ k: 1, tx: 120, ty: 40 });
    expect(await frames(page)).toBe(frames0);
    await send("touchEnd", []);
    await expect.poll(() => frames(page)).toBe(frames0 + 1);
    const panned = await camera(page);
    expect(panned.x).toBeLessThan(start.x);
    expect(panned.ratio).toBe(start.ratio);
    // Two fingers spread from 100 to 300 px apart: three times the zoom, about their midpoint.
    await send("touchStart", [[cx - 50, cy]]);
    await send("touchStart", [
      [cx - 50, cy],
      [cx + 50, cy],
    ]);
    for (let k = 1; k <= 4; k++)
      await send("touchMove", [
        [cx - 50 - 25 * k, cy],
        [cx + 50 + 25 * k, cy],
      ]);
    await expect.poll(async () => (await pending(page)).k).toBeCloseTo(3, 6);
    expect(await frames(page)).toBe(frames0 + 1);
    await send("touchEnd", []);
    await expect.poll(async () => (await camera(page)).ratio).toBeCloseTo(start.ratio / 3, 6);
    await page.waitForTimeout(300);
    expect(await frames(page)).toBe(frames0 + 2);
    // A drag selected nothing.
    expect(await page.locator("#detail-name").textContent()).toBe("bench");
    expect(errors).toEqual([]);
    await context.close();
  });
});
