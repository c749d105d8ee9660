// The node's dashboard: sweeps, a sweep's trials and plots, a trial, the cluster. It reads the same command API as
// sweepctl (POST /api/{palette}/{command}); a sweep's page redraws as the node pushes its changes, the others every few
// seconds while something runs.
"use strict";

const main = document.getElementById("main");
const statusLine = document.getElementById("status");
const tooltip = document.getElementById("tooltip");
const token = new URLSearchParams(location.search).get("token") || sessionStorage.getItem("sweep-token");
if (token) sessionStorage.setItem("sweep-token", token);
// The token has been kept: out of the address bar, so that it is not in the history, a bookmark or a screenshot.
if (new URLSearchParams(location.search).has("token")) history.replaceState(null, "", location.pathname + location.hash);
const PAGE = 50;
let refresh = null;
/** The open stream of the sweep shown: { id, source }. */
let stream = null;

async function command(palette, name, switches = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`/api/${palette}/${name}`, { method: "POST", headers, body: JSON.stringify({ switches }) });
  const body = await response.json();
  if (!response.ok) throw new Error([body.error, ...(body.errors || [])].join("\n"));
  return body.data;
}

function element(tag, attributes = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) {
    if (k === "onclick") e.onclick = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return e;
}

function table(headers, rows, attributes = {}) {
  return element("table", attributes, element("tr", {}, ...headers.map(h => h instanceof Node ? h : element("th", {}, h))), ...rows);
}

const format = v => v === null || v === undefined ? "-" : typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : typeof v === "object" ? JSON.stringify(v) : String(v);

function leaves(value, name = "", out = {}) {
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) leaves(v, name ? `${name}.${k}` : k, out);
  } else out[name] = value;
  return out;
}

/** Time left until an estimated end, as sweepctl says it. */
function remaining(ms) {
  const seconds = ms / 1000;
  if (seconds < 1) return "ending";
  if (seconds < 90) return `about ${Math.round(seconds)} s left`;
  if (seconds < 5400) return `about ${Math.round(seconds / 60)} min left`;
  return `about ${(seconds / 3600).toFixed(1)} h left`;
}

/**
 * Runs a view now, and again as its data changes: a sweep's page each time the node pushes that the sweep changed (server-sent
 * events from GET /api/sweeps/ID/events, kept open while the page stays on that sweep), any other page every two seconds while
 * it says something still runs. Redraws asked for while one is drawn are folded into one.
 */
function show(view, sweepId = null) {
  clearTimeout(refresh);
  if (stream && stream.id !== sweepId) { stream.source.close(); stream = null; }
  let drawing = false, again = false;
  const run = async () => {
    if (drawing) { again = true; return; }
    drawing = true;
    try {
      const running = await view();
      statusLine.textContent = `updated ${new Date().toLocaleTimeString()}`;
      if (running && !sweepId) refresh = setTimeout(run, 2000);
    } catch (e) {
      main.replaceChildren(element("pre", { class: "error" }, e.message));
    }
    drawing = false;
    if (again) { again = false; run(); }
  };
  if (sweepId && !stream) {
    const opened = { id: sweepId, source: new EventSource(`/api/sweeps/${encodeURIComponent(sweepId)}/events`), redraw: run };
    // The first status comes at once (the catch-up, after a reconnection too); after the end the browser must not reconnect.
    opened.source.addEventListener("status", () => opened.redraw());
    opened.source.addEventListener("end", () => opened.source.close());
    stream = opened;
  }
  if (stream) stream.redraw = run;
  run();
}

async function sweepsView() {
  const data = await command("sweep", "list");
  const rows = data.sweeps.map(s => element("tr", { class: "trial", "data-sweep": s.id, onclick: () => location.hash = `#/sweep/${s.id}` },
    element("td", {}, element("a", { href: `#/sweep/${s.id}` }, s.id)), element("td", {}, s.name), element("td", {}, s.state),
    element("td", {}, `${s.done}/${s.total_trials}`), element("td", {}, s.best ? `${format(s.best.metrics[s.metric.name])} (trial ${s.best.index})` : "-"),
    element("td", {}, new Date(s.submitted_at).toLocaleString())));
  main.replaceChildren(element("h1", {}, "Sweeps"), table(["id", "name", "state", "done/total", "best", "started"], rows, { id: "sweeps" }));
  return data.sweeps.some(s => s.state === "running" || s.state === "pending");
}

/** The sweep page's own state: the table's page, order and filter, and the plotted parameter, kept across refreshes. */
const sweepPage = { id: null, offset: 0, order: "best", state: "", parameter: null, points: null, pointsAt: null, curves: [], plots: [], curvesPlot: null, layout: null, parallel: null };

async function sweepView(id) {
  if (sweepPage.id !== id) Object.assign(sweepPage, { id, offset: 0, order: "best", state: "", parameter: null, points: null, pointsAt: null, plotsKey: null, plotsElement: null });
  const status = await command("sweep", "status", { id });
  // The plotted columns change only as trials end: fetched again then, not on every redraw or change of table page.
  const progress = `${status.done}/${status.running.length}/${status.total_trials}`;
  if (sweepPage.pointsAt !== progress) {
    const [points, best, running] = await Promise.all([command("sweep", "points", { id }),
      command("sweep", "trials", { id, top: "20", curves: "yes" }), command("sweep", "trials", { id, state: "running", curves: "yes" })]);
    Object.assign(sweepPage, { points, pointsAt: progress, curves: [...best.trials, ...running.trials].filter(t => t.curve && t.curve.length > 0) });
  }
  const points = sweepPage.points;
  const switches = { id, top: String(PAGE), offset: String(sweepPage.offset), order: sweepPage.order };
  if (sweepPage.state) switches.state = sweepPage.state;
  const page = await command("sweep", "trials", switches);
  const metric = status.metric.name;
  const s = status.summary;
  const header = element("div", {},
    element("h1", {}, `${status.name} [${status.id}]`),
    element("p", { class: "counts", id: "counts" },
      element("span", { id: "state" }, status.state), element("span", { id: "done" }, `${status.done}/${status.total_trials} done`),
      element("span", {}, `${status.running.length} running`), element("span", {}, `${status.pending} pending`),
      element("span", {}, `completed ${s.completed}, failed ${s.failed}, pruned ${s.pruned}`),
      element("span", { id: "best" }, status.best ? `best ${metric} ${format(status.best.metrics[metric])} (trial ${status.best.index})` : "no result yet"),
      status.estimated_end ? element("span", { id: "eta", title: `at ${new Date(status.estimated_end).toLocaleString()}` }, remaining(new Date(status.estimated_end) - Date.now())) : ""));
  const parameters = Object.keys(points.params);
  if (!parameters.includes(sweepPage.parameter)) sweepPage.parameter = parameters[0] ?? null;
  // The plots change only when the points or the chosen parameter did: paging the table keeps them as they are.
  const plotsKey = `${sweepPage.pointsAt}|${sweepPage.parameter}`;
  const redraw = sweepPage.plotsKey !== plotsKey;
  const plots = sweepPage.plotsElement ?? element("div", { class: "plots" });
  const parameterSelect = element("select", { id: "parameter" }, ...parameters.map(p => element("option", p === sweepPage.parameter ? { value: p, selected: "" } : { value: p }, p)));
  parameterSelect.onchange = () => { sweepPage.parameter = parameterSelect.value; show(() => sweepView(id), id); };
  const stateSelect = element("select", { id: "state-filter" }, ...["", "completed", "running", "pending", "failed", "pruned", "cancelled"]
    .map(v => element("option", v === sweepPage.state ? { value: v, selected: "" } : { value: v }, v || "all")));
  stateSelect.onchange = () => { Object.assign(sweepPage, { state: stateSelect.value, offset: 0 }); show(() => sweepView(id), id); };
  const order = (key, label) => element("th", { class: "sortable", onclick: () => { Object.assign(sweepPage, { order: key, offset: 0 }); show(() => sweepView(id), id); } },
    label + (sweepPage.order === key ? " ▾" : ""));
  const rows = page.trials.map(t => element("tr", { class: "trial", "data-index": t.index, onclick: () => location.hash = `#/sweep/${id}/trial/${t.index}` },
    element("td", {}, String(t.index)), element("td", {}, t.status), element("td", {}, format(t.metrics[metric])),
    element("td", {}, format(t.duration_seconds)), element("td", {}, Object.entries(leaves(t.params)).map(([k, v]) => `${k}=${format(v)}`).join(", "))));
  const matching = sweepPage.state ? s[sweepPage.state] ?? (sweepPage.state === "running" ? status.running.length : sweepPage.state === "pending" ? status.pending : 0) : status.total_trials;
  const pager = element("p", { class: "controls" },
    element("button", { id: "previous", onclick: () => { sweepPage.offset = Math.max(0, sweepPage.offset - PAGE); show(() => sweepView(id), id); } }, "previous"),
    ` trials ${page.trials.length ? sweepPage.offset + 1 : 0}-${sweepPage.offset + page.trials.length} `,
    element("button", { id: "next", onclick: () => { if (sweepPage.offset + PAGE < matching) { sweepPage.offset += PAGE; show(() => sweepView(id), id); } } }, "next"));
  const importance = points.importance.length === 0 ? element("span") : element("div", {}, element("h2", {}, "Parameter importance"),
    element("p", {}, `PED-ANOVA: how the values among the best 10% of completed trials differ from those among all`),
    table(["parameter", "share"], points.importance.map(p => element("tr", {}, element("td", {}, p.parameter), element("td", {}, p.importance.toFixed(3)))), { id: "importance" }));
  const above = [header, element("p", { class: "controls" }, element("label", {}, "parameter ", parameterSelect))];
  const below = [importance, element("h2", {}, "Trials"), element("p", { class: "controls" }, element("label", {}, "state ", stateSelect)),
    table([order("index", "trial"), element("th", {}, "status"), order("best", metric), element("th", {}, "seconds"), element("th", {}, "params")], rows, { id: "trials" }),
    pager];
  if (plots.parentNode === main) {
    // The plots stay in the page (a hover over them outlives the redraw); what surrounds them is replaced.
    while (plots.previousSibling) plots.previousSibling.remove();
    while (plots.nextSibling) plots.nextSibling.remove();
    plots.before(...above);
    plots.after(...below);
  } else main.replaceChildren(...above, plots, ...below);
  if (redraw) {
    drawSweepPlots(plots, id, points, status);
    Object.assign(sweepPage, { plotsKey, plotsElement: plots });
  }
  return status.state === "running" || status.state === "pending";
}

/**
 * The optimisation history, a slice plot of the chosen parameter, the learning curves and the parallel coordinates; hover shows
 * a trial's parameters, a click opens it. As trials end the plots take their new points in place, so that a hover keeps its
 * tooltip; they are built again only when what they show changes shape (another parameter, new categories, other curves).
 */
function drawSweepPlots(container, id, points, status) {
  const metric = status.metric.name;
  const sign = status.metric.direction === "maximize" ? 1 : -1;
  const finished = points.index.map((index, i) => ({ index, i, value: points.value[i], status: points.status[i] })).filter(p => p.value !== null);
  let best = null;
  const shown = [{ name: "history", title: "Optimisation history", x: "trial", y: metric, trials: finished, withBest: true,
    data: [finished.map(p => p.index), finished.map(p => p.value), finished.map(p => (best === null || sign * p.value > sign * best ? (best = p.value) : best))] }];
  const slice = sliceOf(points, finished, metric);
  if (slice) shown.push(slice);
  const curves = curvesData();
  const parallel = Object.keys(points.params).length > 1;
  const layout = JSON.stringify([id, shown.map(p => [p.name, p.x, p.logX, p.categories]), curves !== null, parallel]);
  if (sweepPage.layout !== layout) {
    [...sweepPage.plots, sweepPage.curvesPlot].forEach(p => p?.chart.destroy());
    container.replaceChildren();
    sweepPage.plots = shown.map(p => plot(container, p, id));
    sweepPage.curvesPlot = curves ? curvesPlot(container, curves, metric) : null;
    sweepPage.parallel = parallel ? parallelCanvas(container, metric) : null;
    sweepPage.layout = layout;
  } else {
    shown.forEach((p, k) => sweepPage.plots[k].update(p.data, p.trials));
    if (curves) sweepPage.curvesPlot.update(curves);
  }
  if (sweepPage.parallel) drawParallel(sweepPage.parallel, points, finished, sign);
}

/** The chosen parameter's slice plot: its values against the metric, numbers on their axis, categories each a column; null without one. */
function sliceOf(points, finished, metric) {
  if (!sweepPage.parameter || finished.length === 0) return null;
  const column = points.params[sweepPage.parameter];
  const slice = { name: "slice", title: `${metric} against ${sweepPage.parameter}`, x: sweepPage.parameter, y: metric };
  const numeric = finished.filter(p => typeof column[p.i] === "number").sort((a, b) => column[a.i] - column[b.i]);
  if (numeric.length === finished.length)
    return { ...slice, trials: numeric, data: [numeric.map(p => column[p.i]), numeric.map(p => p.value)], logX: points.log_scaled.includes(sweepPage.parameter) };
  // A categorical parameter: spread a little within its column, so that equal results stay apart.
  const categories = [...new Set(finished.map(p => String(column[p.i])))].sort();
  const placed = finished.map(p => ({ ...p, x: categories.indexOf(String(column[p.i])) + (((p.index * 0.618034) % 1) - 0.5) * 0.4 })).sort((a, b) => a.x - b.x);
  return { ...slice, trials: placed, data: [placed.map(p => p.x), placed.map(p => p.value)], categories };
}

/** The learning curves of the best trials and the running ones as plot data, and their series (running ones red, pruned ones grey); null without any. */
function curvesData() {
  const trials = sweepPage.curves;
  if (trials.length === 0) return null;
  const epochs = [...new Set(trials.flatMap(t => t.curve.map(e => e.epoch)))].sort((a, b) => a - b);
  return {
    data: [epochs, ...trials.map(t => epochs.map(e => t.curve.find(p => p.epoch === e)?.value ?? null))],
    series: trials.map(t => ({ label: `trial ${t.index}`, stroke: t.status === "pruned" ? "#999" : t.status === "running" ? "orangered" : "steelblue", spanGaps: true })),
  };
}

/** The curves' plot; given other trials' curves it is built again in its place (their colours are the series'), else it takes the new points. */
function curvesPlot(container, curves, metric) {
  const holder = element("div", { class: "plot", id: "plot-curves" });
  container.append(holder);
  const shown = { key: null, chart: null };
  const build = c => {
    shown.chart?.destroy();
    shown.key = JSON.stringify(c.series);
    shown.chart = new uPlot({
      title: `Learning curves (best ${c.series.length} and running)`, width: 560, height: 320, scales: { x: { time: false } }, legend: { show: false },
      series: [{ label: "epoch" }, ...c.series], axes: [{ label: "epoch" }, { label: metric }],
    }, c.data, holder);
  };
  build(curves);
  return {
    get chart() { return shown.chart; },
    update: c => (JSON.stringify(c.series) === shown.key ? shown.chart.setData(c.data) : build(c)),
  };
}

function parallelCanvas(container, metric) {
  const canvas = element("canvas", { width: 560, height: 320 });
  container.append(element("div", { class: "plot", id: "plot-parallel" }, element("div", { class: "u-title" }, `Parallel coordinates (darker: better ${metric})`), canvas));
  return canvas;
}

/**
 * Parallel coordinates of the finished trials (at most 2,000: the best quarter and an even sample of the rest), one axis per
 * varying parameter scaled from its lowest to its highest value (categories by rank), lines darker the better the trial.
 */
function drawParallel(canvas, points, finished, sign) {
  const names = Object.keys(points.params);
  const ranked = [...finished].sort((a, b) => sign * (b.value - a.value));
  const drawn = ranked.length <= 2000 ? ranked : [...ranked.slice(0, 500), ...Array.from({ length: 1500 }, (_, k) => ranked[500 + Math.floor(k * (ranked.length - 500) / 1500)])];
  const scales = names.map(n => {
    const column = points.params[n];
    const values = finished.map(p => column[p.i]).filter(v => v !== null && v !== undefined);
    if (values.every(v => typeof v === "number")) {
      const log = points.log_scaled.includes(n), f = v => (log ? Math.log10(v) : v);
      const lo = Math.min(...values.map(f)), hi = Math.max(...values.map(f));
      return v => (typeof v === "number" && hi > lo ? (f(v) - lo) / (hi - lo) : 0.5);
    }
    const categories = [...new Set(values.map(String))].sort();
    return v => (categories.length > 1 ? categories.indexOf(String(v)) / (categories.length - 1) : 0.5);
  });
  const { width, height } = canvas, [left, top] = [30, 40];
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, width, height);
  const x = i => left + i * (width - 2 * left) / Math.max(1, names.length - 1), y = u => top + (1 - u) * (height - top - 30);
  const values = drawn.map(p => p.value), lo = Math.min(...values), hi = Math.max(...values);
  for (const p of [...drawn].reverse()) { // the best drawn last, on top
    const goodness = hi > lo ? (sign > 0 ? (p.value - lo) / (hi - lo) : (hi - p.value) / (hi - lo)) : 1;
    g.strokeStyle = `hsla(220, 70%, ${75 - 55 * goodness}%, 0.6)`;
    g.beginPath();
    names.forEach((n, i) => (i === 0 ? g.moveTo : g.lineTo).call(g, x(i), y(scales[i](points.params[n][p.i]))));
    g.stroke();
  }
  g.fillStyle = "#222";
  g.font = "12px sans-serif";
  names.forEach((n, i) => { g.fillRect(x(i), top, 1, height - top - 30); g.fillText(n, Math.min(x(i) - 10, width - 8 * n.length), height - 10); });
}

/** A scatter plot of trials (with the best so far, for the history); <c>update</c> gives it new points in place. */
function plot(container, { name, title, x, y, data, trials, withBest = false, logX = false, categories = null }, id) {
  const holder = element("div", { class: "plot", id: `plot-${name}` });
  container.append(holder);
  const shown = { trials };
  const series = [{ label: x }, { label: y, stroke: "steelblue", paths: () => null, points: { show: true, size: 5, fill: "steelblue" } }];
  if (withBest) series.push({ label: "best so far", stroke: "orangered", width: 2, points: { show: false } });
  const chart = new uPlot({
    title, width: 560, height: 320, scales: { x: logX ? { time: false, distr: 3 } : { time: false } }, series,
    axes: [categories ? { label: x, splits: () => categories.map((_, i) => i), values: () => categories } : { label: x }, { label: y }],
    cursor: { points: { size: 8 } },
    hooks: {
      setCursor: [u => {
        const i = u.cursor.idx;
        const p = i === null || i === undefined || u.cursor.left < 0 ? null : shown.trials[i];
        if (!p) { tooltip.hidden = true; return; }
        tooltip.textContent = `trial ${p.index} (${p.status}): ${format(p.value)}\n` +
          Object.entries(sweepPage.points.params).map(([k, column]) => `${k} = ${format(column[p.i])}`).join("\n");
        const box = u.over.getBoundingClientRect();
        tooltip.style.left = `${box.left + u.cursor.left + 12}px`;
        tooltip.style.top = `${box.top + u.cursor.top + 12}px`;
        tooltip.hidden = false;
      }],
    },
  }, data, holder);
  chart.over.addEventListener("click", () => {
    const i = chart.cursor.idx;
    if (i !== null && i !== undefined) { tooltip.hidden = true; location.hash = `#/sweep/${id}/trial/${shown.trials[i].index}`; }
  });
  chart.over.addEventListener("mouseleave", () => tooltip.hidden = true);
  return { chart, update: (newData, newTrials) => { shown.trials = newTrials; chart.setData(newData); } };
}

async function trialView(id, index) {
  const trial = await command("sweep", "trial", { id, trial: String(index) });
  const parts = [element("h1", {}, `Trial ${trial.index} of `, element("a", { href: `#/sweep/${id}` }, id)),
    element("p", { id: "trial-status" }, `${trial.status}, attempt ${trial.attempt}, ${format(trial.duration_seconds)} s on ${trial.device ?? "-"} at ${trial.node ?? "-"}`
      + (trial.reason ? `: ${trial.reason}` : "")
      + (trial.in_epoch ? `; epoch ${trial.in_epoch.epoch} at ${Math.round(trial.in_epoch.fraction * 100)}%`
        + (trial.in_epoch.samples_per_second > 0 ? `, ${Math.round(trial.in_epoch.samples_per_second)} samples/s` : "") : "")),
    element("h2", {}, "Parameters"),
    table(["parameter", "value"], Object.entries(leaves(trial.params)).map(([k, v]) => element("tr", {}, element("td", {}, k), element("td", {}, format(v)))), { id: "params" }),
    element("h2", {}, "Metrics"),
    table(["metric", "value"], Object.entries(trial.metrics).map(([k, v]) => element("tr", {}, element("td", {}, k), element("td", {}, format(v)))))];
  if (trial.failed_attempts) parts.push(element("h2", {}, "Earlier attempts"), element("ul", {}, ...trial.failed_attempts.map(a => element("li", {}, a))));
  const curve = element("div", { class: "plot", id: "plot-curve" });
  parts.push(element("h2", {}, "Curve"), curve);
  if (trial.artifacts) {
    try {
      const listing = await command("sweep", "artifacts", { id, trial: String(index) });
      parts.push(element("h2", {}, "Artifacts"), element("ul", { id: "artifacts" }, ...listing.files.map(f =>
        element("li", {}, element("a", { href: `/api/artifacts/${id}/${index}/${f.path}` }, f.path), ` (${f.size} bytes)`))));
      if (listing.files.some(f => f.path === "trial.json")) parts.push(...await lineage(id, index));
      if (listing.files.some(f => f.path === "confusion.png"))
        parts.push(element("img", { id: "confusion", src: `/api/artifacts/${id}/${index}/confusion.png`, alt: "confusion matrices" }));
    } catch (e) {
      parts.push(element("p", { class: "error" }, `artifacts: ${e.message}`));
    }
  }
  if (trial.status !== "pending") parts.push(...await logTail(id, index));
  main.replaceChildren(...parts);
  const epochs = trial.curve ?? [];
  if (epochs.length > 0)
    new uPlot({ title: "value after each epoch", width: 560, height: 280, scales: { x: { time: false } },
      series: [{ label: "epoch" }, { label: "value", stroke: "steelblue", points: { show: true } }] },
    [epochs.map(e => e.epoch), epochs.map(e => e.value)], curve);
  return trial.status === "running" || trial.status === "pending";
}

/** What the trial ran with, from its trial.json: the release, the trainer's libraries, the data and its fingerprint. */
async function lineage(id, index) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const response = await fetch(`/api/artifacts/${id}/${index}/trial.json`, { headers });
  const ran = response.ok ? (await response.json()).lineage : null;
  if (!ran) return [];
  const rows = [["SweepCluster", ran.sweep_cluster], ["runtime", ran.runtime],
    ["data", ran.data ? `${ran.data.folder} (${ran.data.files} files, ${ran.data.bytes} bytes, sha256 ${ran.data.sha256.slice(0, 12)})` : null]];
  return [element("h2", {}, "Ran with"), table(["", ""], rows.filter(r => r[1]).map(([k, v]) => element("tr", {}, element("td", {}, k), element("td", {}, v))), { id: "lineage" })];
}

/** The last lines the trial's program wrote (none for a built-in trainer), read again on each redraw while it runs. */
async function logTail(id, index) {
  try {
    const logs = await command("sweep", "logs", { id, trial: String(index), tail: "40" });
    const lines = [...logs.stdout, ...logs.stderr.map(l => `stderr: ${l}`)];
    return lines.length === 0 ? [] : [element("h2", {}, `Log (last lines, from ${logs.node})`), element("pre", { id: "log" }, lines.join("\n"))];
  } catch (e) {
    return [element("p", { class: "error" }, `log: ${e.message}`)];
  }
}

async function clusterView() {
  const [members, workers] = await Promise.all([command("cluster", "show"), command("node", "show")]);
  main.replaceChildren(element("h1", {}, "Cluster"),
    table(["address", "roles", "status", "reachable"], members.members.map(m =>
      element("tr", {}, element("td", {}, m.address), element("td", {}, m.roles.join(", ")), element("td", {}, m.status), element("td", {}, String(m.reachable)))), { id: "members" }),
    element("h2", {}, "Workers"),
    element("pre", { id: "workers" }, JSON.stringify(workers, null, 2)));
  return true;
}

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  if (parts[0] === "sweep" && parts[2] === "trial") show(() => trialView(parts[1], parts[3]));
  else if (parts[0] === "sweep" && parts[1]) show(() => sweepView(parts[1]), parts[1]);
  else if (parts[0] === "cluster") show(clusterView);
  else show(sweepsView);
}

window.addEventListener("hashchange", route);
route();
