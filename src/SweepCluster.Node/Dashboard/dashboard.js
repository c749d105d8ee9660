// The node's dashboard: sweeps, a sweep's trials and plots, a trial, the cluster. It reads the same command API as
// sweepctl (POST /api/{palette}/{command}) and redraws every few seconds while something runs.
"use strict";

const main = document.getElementById("main");
const statusLine = document.getElementById("status");
const tooltip = document.getElementById("tooltip");
const token = new URLSearchParams(location.search).get("token") || sessionStorage.getItem("sweep-token");
if (token) sessionStorage.setItem("sweep-token", token);
const PAGE = 50;
let refresh = null;

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

/** Runs a view now and again every two seconds while it says something is still running. */
function show(view) {
  clearTimeout(refresh);
  const run = async () => {
    try {
      const again = await view();
      statusLine.textContent = `updated ${new Date().toLocaleTimeString()}`;
      if (again) refresh = setTimeout(run, 2000);
    } catch (e) {
      main.replaceChildren(element("pre", { class: "error" }, e.message));
    }
  };
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
const sweepPage = { id: null, offset: 0, order: "best", state: "", parameter: null, points: null, plots: [] };

async function sweepView(id) {
  if (sweepPage.id !== id) Object.assign(sweepPage, { id, offset: 0, order: "best", state: "", parameter: null });
  const status = await command("sweep", "status", { id });
  const points = await command("sweep", "points", { id });
  const switches = { id, top: String(PAGE), offset: String(sweepPage.offset), order: sweepPage.order };
  if (sweepPage.state) switches.state = sweepPage.state;
  const page = await command("sweep", "trials", switches);
  sweepPage.points = points;
  const metric = status.metric.name;
  const s = status.summary;
  const header = element("div", {},
    element("h1", {}, `${status.name} [${status.id}]`),
    element("p", { class: "counts", id: "counts" },
      element("span", { id: "state" }, status.state), element("span", { id: "done" }, `${status.done}/${status.total_trials} done`),
      element("span", {}, `${status.running.length} running`), element("span", {}, `${status.pending} pending`),
      element("span", {}, `completed ${s.completed}, failed ${s.failed}, pruned ${s.pruned}`),
      element("span", { id: "best" }, status.best ? `best ${metric} ${format(status.best.metrics[metric])} (trial ${status.best.index})` : "no result yet")));
  const plots = element("div", { class: "plots" });
  const parameters = Object.keys(points.params);
  if (!parameters.includes(sweepPage.parameter)) sweepPage.parameter = parameters[0] ?? null;
  const parameterSelect = element("select", { id: "parameter" }, ...parameters.map(p => element("option", p === sweepPage.parameter ? { value: p, selected: "" } : { value: p }, p)));
  parameterSelect.onchange = () => { sweepPage.parameter = parameterSelect.value; show(() => sweepView(id)); };
  const stateSelect = element("select", { id: "state-filter" }, ...["", "completed", "running", "pending", "failed", "pruned", "cancelled"]
    .map(v => element("option", v === sweepPage.state ? { value: v, selected: "" } : { value: v }, v || "all")));
  stateSelect.onchange = () => { Object.assign(sweepPage, { state: stateSelect.value, offset: 0 }); show(() => sweepView(id)); };
  const order = (key, label) => element("th", { class: "sortable", onclick: () => { Object.assign(sweepPage, { order: key, offset: 0 }); show(() => sweepView(id)); } },
    label + (sweepPage.order === key ? " ▾" : ""));
  const rows = page.trials.map(t => element("tr", { class: "trial", "data-index": t.index, onclick: () => location.hash = `#/sweep/${id}/trial/${t.index}` },
    element("td", {}, String(t.index)), element("td", {}, t.status), element("td", {}, format(t.metrics[metric])),
    element("td", {}, format(t.duration_seconds)), element("td", {}, Object.entries(leaves(t.params)).map(([k, v]) => `${k}=${format(v)}`).join(", "))));
  const matching = sweepPage.state ? s[sweepPage.state] ?? (sweepPage.state === "running" ? status.running.length : sweepPage.state === "pending" ? status.pending : 0) : status.total_trials;
  const pager = element("p", { class: "controls" },
    element("button", { id: "previous", onclick: () => { sweepPage.offset = Math.max(0, sweepPage.offset - PAGE); show(() => sweepView(id)); } }, "previous"),
    ` trials ${page.trials.length ? sweepPage.offset + 1 : 0}-${sweepPage.offset + page.trials.length} `,
    element("button", { id: "next", onclick: () => { if (sweepPage.offset + PAGE < matching) { sweepPage.offset += PAGE; show(() => sweepView(id)); } } }, "next"));
  main.replaceChildren(header,
    element("p", { class: "controls" }, element("label", {}, "parameter ", parameterSelect)), plots,
    element("h2", {}, "Trials"), element("p", { class: "controls" }, element("label", {}, "state ", stateSelect)),
    table([order("index", "trial"), element("th", {}, "status"), order("best", metric), element("th", {}, "seconds"), element("th", {}, "params")], rows, { id: "trials" }),
    pager);
  drawSweepPlots(plots, id, points, status);
  return status.state === "running" || status.state === "pending";
}

/** The optimisation history and a slice plot of the chosen parameter; hover shows a trial's parameters, a click opens it. */
function drawSweepPlots(container, id, points, status) {
  sweepPage.plots.forEach(p => p.destroy());
  sweepPage.plots = [];
  const sign = status.metric.direction === "maximize" ? 1 : -1;
  const finished = points.index.map((index, i) => ({ index, i, value: points.value[i], status: points.status[i] })).filter(p => p.value !== null);
  let best = null;
  const history = [finished.map(p => p.index), finished.map(p => p.value),
    finished.map(p => (best === null || sign * p.value > sign * best ? (best = p.value) : best))];
  sweepPage.plots.push(plot(container, "history", "Optimisation history", "trial", status.metric.name, history, finished, id, true));
  if (sweepPage.parameter) {
    const column = points.params[sweepPage.parameter];
    const numeric = finished.filter(p => typeof column[p.i] === "number").sort((a, b) => column[a.i] - column[b.i]);
    if (numeric.length > 0)
      sweepPage.plots.push(plot(container, "slice", `${status.metric.name} against ${sweepPage.parameter}`, sweepPage.parameter, status.metric.name,
        [numeric.map(p => column[p.i]), numeric.map(p => p.value)], numeric, id, false, points.log_scaled.includes(sweepPage.parameter)));
  }
}

function plot(container, name, title, x, y, data, trials, id, withBest, logX = false) {
  const holder = element("div", { class: "plot", id: `plot-${name}` });
  container.append(holder);
  const series = [{ label: x }, { label: y, stroke: "steelblue", paths: () => null, points: { show: true, size: 5, fill: "steelblue" } }];
  if (withBest) series.push({ label: "best so far", stroke: "orangered", width: 2, points: { show: false } });
  const chart = new uPlot({
    title, width: 560, height: 320, scales: { x: logX ? { time: false, distr: 3 } : { time: false } }, series, axes: [{ label: x }, { label: y }],
    cursor: { points: { size: 8 } },
    hooks: {
      setCursor: [u => {
        const i = u.cursor.idx;
        if (i === null || i === undefined || u.cursor.left < 0) { tooltip.hidden = true; return; }
        const p = trials[i];
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
    if (i !== null && i !== undefined) { tooltip.hidden = true; location.hash = `#/sweep/${id}/trial/${trials[i].index}`; }
  });
  chart.over.addEventListener("mouseleave", () => tooltip.hidden = true);
  return chart;
}

async function trialView(id, index) {
  const trial = await command("sweep", "trial", { id, trial: String(index) });
  const parts = [element("h1", {}, `Trial ${trial.index} of `, element("a", { href: `#/sweep/${id}` }, id)),
    element("p", { id: "trial-status" }, `${trial.status}, attempt ${trial.attempt}, ${format(trial.duration_seconds)} s on ${trial.device ?? "-"} at ${trial.node ?? "-"}`
      + (trial.reason ? `: ${trial.reason}` : "")),
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
      if (listing.files.some(f => f.path === "confusion.png"))
        parts.push(element("img", { id: "confusion", src: `/api/artifacts/${id}/${index}/confusion.png`, alt: "confusion matrices" }));
    } catch (e) {
      parts.push(element("p", { class: "error" }, `artifacts: ${e.message}`));
    }
  }
  main.replaceChildren(...parts);
  const epochs = trial.curve ?? [];
  if (epochs.length > 0)
    new uPlot({ title: "value after each epoch", width: 560, height: 280, scales: { x: { time: false } },
      series: [{ label: "epoch" }, { label: "value", stroke: "steelblue", points: { show: true } }] },
    [epochs.map(e => e.epoch), epochs.map(e => e.value)], curve);
  return trial.status === "running" || trial.status === "pending";
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
  else if (parts[0] === "sweep" && parts[1]) show(() => sweepView(parts[1]));
  else if (parts[0] === "cluster") show(clusterView);
  else show(sweepsView);
}

window.addEventListener("hashchange", route);
route();
