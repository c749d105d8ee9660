// Times the dashboard's sweep page in Debian's chromium: from opening it to its plots drawn and its table filled, and a
// change of table page. Prints one JSON line. Usage: node measure.mjs BASE_URL SWEEP_ID
import { chromium } from "playwright-core";

const [base, sweep] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  await page.goto(`${base}/#/`);
  await page.waitForSelector("#sweeps");
  const started = Date.now();
  await page.goto(`${base}/#/sweep/${sweep}`);
  await page.waitForSelector("#trials tr.trial", { timeout: 120000 });
  await page.waitForSelector("#plot-history canvas", { timeout: 120000 });
  const interactive = Date.now() - started;
  const points = await page.evaluate(() => document.querySelector("#done")?.textContent);
  const first = await page.getAttribute("#trials tr.trial", "data-index");
  const paging = Date.now();
  await page.click("#next");
  await page.waitForFunction(previous => document.querySelector("#trials tr.trial")?.dataset.index !== previous, first, { timeout: 120000 });
  console.log(JSON.stringify({ interactive_ms: interactive, next_page_ms: Date.now() - paging, done: points }));
} finally {
  await browser.close();
}
