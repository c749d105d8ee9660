// Drives Debian's chromium through the dashboard of a node running a sweep, and prints what it saw as one JSON line.
// Usage: node dashboard.mjs BASE_URL SWEEP_ID SCREENSHOT_DIR LOGGED_SWEEP_ID (a sweep of the user's program, for its log)
import { chromium } from "playwright-core";

const [base, sweep, shots, logged] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const seen = {};
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  const requests = [];
  page.on("request", r => requests.push(r.url()));
  page.on("pageerror", e => console.error(`page error: ${e.message}`));

  await page.goto(`${base}/`);
  await page.waitForSelector(`#sweeps tr[data-sweep="${sweep}"]`, { timeout: 30000 });
  seen.listed = await page.locator("#sweeps tr.trial").count();
  await page.screenshot({ path: `${shots}/sweeps.png`, fullPage: true });

  await page.click(`#sweeps tr[data-sweep="${sweep}"]`);
  await page.waitForSelector("#trials tr.trial", { timeout: 30000 }).catch(async e => {
    console.error(`the sweep page shows: ${(await page.textContent("main")).slice(0, 500)}`);
    throw e;
  });
  await page.waitForSelector("#plot-history canvas", { timeout: 30000 });
  seen.done_before = await page.textContent("#done");
  seen.eta = await page.$eval("#eta", e => e.textContent).catch(() => null);
  seen.plots = await page.$$eval(".plot", plots => plots.map(p => p.id));
  seen.importance = await page.$$eval("#importance tr", rows => rows.slice(1).map(r => r.children[0].textContent));
  seen.rows = await page.locator("#trials tr.trial").count();
  seen.row_indices = await page.$$eval("#trials tr.trial", rows => rows.map(r => Number(r.dataset.index)));
  seen.row_values = await page.$$eval("#trials tr.trial", rows => rows.map(r => r.children[2].textContent).filter(v => v !== "-").map(Number));
  // A plot drew: its canvas holds painted pixels.
  seen.painted_pixels = await page.$eval("#plot-history canvas", canvas => {
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return painted;
  });
  // Hovering the plot shows a trial's parameters.
  // A plot built again while it is measured (when the first curves or a new category appear) has no box: measure again.
  let box = null;
  for (let tries = 0; !box && tries < 100; tries++) box = await page.locator("#plot-history .u-over").boundingBox() ?? (await page.waitForTimeout(50), null);
  for (let x = 5; x < box.width && !(await page.isVisible("#tooltip")); x += 3) await page.mouse.move(box.x + x, box.y + box.height / 2);
  seen.tooltip = await page.isVisible("#tooltip") ? await page.textContent("#tooltip") : null;

  // The page follows the sweep: the count of trials done changes without a reload, and the plot under the pointer takes
  // the new points in place, its tooltip still up.
  const navigations = [];
  page.on("framenavigated", f => navigations.push(f.url()));
  await page.$eval("#plot-history", plot => { plot.dataset.before = "yes"; });
  const pointsAt = await page.$eval("#done", e => e.textContent);
  await page.waitForFunction(before => document.querySelector("#done")?.textContent !== before, pointsAt, { timeout: 60000 });
  seen.done_after = await page.textContent("#done");
  seen.plot_kept = await page.$eval("#plot-history", plot => plot.dataset.before === "yes");
  seen.tooltip_after_update = await page.isVisible("#tooltip");
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${shots}/sweep.png`, fullPage: true });
  seen.reloaded = navigations.some(u => !u.includes("#"));
  // Pushed, not polled: the page opened the sweep's stream of server-sent events.
  seen.streamed = requests.some(u => u.startsWith(`${base}/api/sweeps/${sweep}/events`));

  // A click on a trial opens its page.
  const index = seen.row_indices[0];
  await page.click(`#trials tr[data-index="${index}"]`);
  await page.waitForSelector("#params", { timeout: 30000 });
  seen.trial_url = page.url();
  seen.trial_heading = await page.textContent("h1");
  seen.trial_params = await page.$$eval("#params tr", rows => rows.slice(1).map(r => r.children[0].textContent));
  await page.screenshot({ path: `${shots}/trial.png`, fullPage: true });

  // A program's trial page shows the last lines of its log.
  await page.goto(`${base}/#/sweep/${logged}/trial/0`);
  await page.waitForSelector("#log", { timeout: 30000 });
  seen.log = await page.textContent("#log");
  seen.lineage = await page.$$eval("#lineage tr", rows => rows.slice(1).map(r => r.children[0].textContent));
  seen.title = await page.title();
  await page.screenshot({ path: `${shots}/log.png`, fullPage: true });

  seen.external_requests = requests.filter(u => !u.startsWith(base));
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
