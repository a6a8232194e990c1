// A replay slider that runs in the student's browser (ui/replay.py explains why and what it is sent).
//
// role "player": a range input, metrics, Plotly charts and lines of text, one value per recorded frame.
// role "follower": more metrics and lines that show the frame its group's player shows.
// The frames arrive once; moving the slider only indexes them, so no rerun reaches the server.
// Text is set with textContent, never parsed as HTML: a student's characters show as themselves.

const EVENT = "rnnlab-replay";
const shown = (window.__rnnlabReplay = window.__rnnlabReplay || {}); // group -> frame index shown

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Plotly comes with Streamlit's own chart element, which the page also draws; wait until it is loaded.
function withPlotly(then, box) {
  const started = Date.now();
  const tryNow = () => {
    if (window.Plotly) return then(window.Plotly);
    if (Date.now() - started > 20000) {
      box.replaceChildren(el("p", "rp-error", "The charts could not be drawn: reload the page."));
      return undefined;
    }
    setTimeout(tryNow, 25);
  };
  tryNow();
}

function metricsRow(specs) {
  const row = el("div", "rp-metrics");
  const values = specs.map((m) => {
    const box = el("div", "rp-metric");
    const label = el("div", "rp-metric-label", m.label);
    if (m.help || m.helps) {
      box.title = m.help || m.helps[0];
      label.append(el("span", "rp-help", "?"));
    }
    const value = el("div", "rp-metric-value");
    box.append(label, value);
    row.append(box);
    return { box, value, spec: m };
  });
  return { row, values };
}

function build(root, data) {
  const parts = { metrics: null, lines: [], charts: [], table: null };
  if (data.role === "player") {
    const head = el("div", "rp-slider-head");
    const label = el("label", "rp-slider-label", data.label);
    const current = el("span", "rp-slider-value");
    head.append(label, current);
    const input = el("input", "rp-slider");
    input.type = "range";
    input.min = 0;
    input.max = data.frames - 1;
    input.step = 1;
    input.setAttribute("aria-label", data.label);
    if (data.help) input.title = data.help;
    const ends = el("div", "rp-slider-ends");
    ends.append(el("span", "", data.frameLabels[0]), el("span", "", data.frameLabels[data.frames - 1]));
    root.append(head, input, ends);
    parts.input = input;
    parts.current = current;
  }
  const addLine = (line) => {
    const p = el("p", "rp-line " + (line.kind || ""));
    if (line.lead) p.append(el("strong", "", line.lead + " "));
    const span = el("span", "");
    p.append(span);
    root.append(p);
    parts.lines.push({ span, spec: line });
  };
  const lines = data.lines || [];
  lines.filter((line) => line.kind === "formula").forEach(addLine); // a formula's numbers come first
  if (data.metrics && data.metrics.length) {
    parts.metrics = metricsRow(data.metrics);
    root.append(parts.metrics.row);
  }
  (data.charts || []).forEach((c, i) => {
    const box = el("div", "rp-chart");
    box.dataset.name = c.name;
    root.append(box);
    parts.charts.push({ box, spec: c, fig: data.figs[i], drawn: false });
  });
  lines.filter((line) => line.kind !== "formula").forEach(addLine);
  if (data.table) {
    const details = el("details", "rp-numbers");
    details.append(el("summary", "", data.table.label));
    const holder = el("div", "rp-table-holder");
    details.append(holder);
    details.addEventListener("toggle", () => details.open && fillTable(parts, data, parts.index));
    root.append(details);
    parts.table = { details, holder };
  }
  return parts;
}

// The Numbers table of the frame shown: one row per position, built from the first chart's frame,
// whose trace 0 holds P(next) as z[character][position] and trace 1 the hidden state as z[unit][position].
function fillTable(parts, data, k) {
  const t = data.table;
  if (!parts.table || !parts.table.details.open) return;
  const traces = data.charts[0].frames[k].traces;
  const probs = traces[0].z;
  const hidden = traces[1].z;
  const table = el("table", "rp-table");
  const head = el("tr");
  const columns = ["input so far", "target", ...t.vocab, "P(target)", ...hidden.map((_, j) => `h${j + 1}`)];
  for (const name of columns) head.append(el("th", "", name));
  table.append(head);
  t.rowLabels.forEach((so_far, r) => {
    const tr = el("tr");
    tr.append(el("td", "rp-text", so_far), el("td", "rp-text", t.vocab[t.targets[r]]));
    probs.forEach((row, v) => tr.append(el("td", v === t.targets[r] ? "rp-marked" : "", row[r].toFixed(4))));
    tr.append(el("td", "", probs[t.targets[r]][r].toFixed(4)));
    hidden.forEach((row) => tr.append(el("td", "", row[r].toFixed(4))));
    table.append(tr);
  });
  parts.table.holder.replaceChildren(table);
}

function drawChart(Plotly, chart, k, font) {
  const { spec, fig } = chart;
  const frame = spec.frames[k];
  const traces = fig.data.map((trace, i) => (frame.traces[i] ? { ...trace, ...frame.traces[i] } : trace));
  const layout = { ...fig.layout, font: { ...(fig.layout.font || {}), family: font } };
  if (frame.title !== undefined) layout.title = { ...(layout.title || {}), text: frame.title };
  const config = { displaylogo: false, responsive: true };
  if (!chart.drawn) {
    chart.drawn = true;
    return Plotly.newPlot(chart.box, traces, layout, config);
  }
  return Plotly.react(chart.box, traces, layout, config);
}

function show(parts, data, k) {
  parts.index = k;
  parts.value = data.frameValues ? data.frameValues[k] : k;
  if (parts.input) {
    parts.input.value = k;
    parts.current.textContent = data.frameLabels[k];
    parts.input.setAttribute("aria-valuetext", data.frameLabels[k]);
  }
  if (parts.metrics) {
    parts.metrics.values.forEach(({ box, value, spec }) => {
      value.textContent = spec.values[k];
      if (spec.helps) box.title = spec.helps[k];
    });
  }
  for (const { span, spec } of parts.lines) span.textContent = spec.values[k];
  fillTable(parts, data, k);
  if (parts.charts.length) {
    const font = getComputedStyle(document.body).fontFamily;
    withPlotly((Plotly) => parts.charts.forEach((c) => drawChart(Plotly, c, k, font)), parts.root);
  }
}

// The page sends one JSON line of this student's settings, then the frames (ui/replay.py, _mount).
function unpack(bytes) {
  const text = new TextDecoder().decode(bytes);
  const cut = text.indexOf("\n");
  return { own: JSON.parse(text.slice(0, cut)), frames: () => JSON.parse(text.slice(cut + 1)) };
}

export default function (component) {
  const { parentElement } = component;
  const sent = unpack(component.data);
  let root = parentElement.querySelector(".rnnlab-replay");
  if (!root) {
    root = el("div", "rnnlab-replay");
    parentElement.append(root);
  }
  if (root.dataset.sig === sent.own.sig && root.__parts) return root.__cleanup; // the same frames: keep the step
  const data = { ...sent.frames(), ...sent.own };
  // the value (a training step) shown before new frames came, to show it again
  const kept = root.__parts && root.dataset.group === data.group ? root.__parts.value : undefined;
  if (root.__cleanup) root.__cleanup();
  root.replaceChildren();
  root.dataset.sig = data.sig;
  root.dataset.group = data.group;
  root.classList.toggle("rp-presenter", !!data.presenter);
  const parts = build(root, data);
  parts.root = root;
  root.__parts = parts;
  const clamp = (k) => Math.max(0, Math.min(data.frames - 1, k | 0));
  let cleanup;
  if (data.role === "player") {
    // a retrain keeps the step the student had chosen (the last frame at or before it); the first draw
    // starts where the link says
    const atOrBefore = (v) => data.frameValues.reduce((best, x, i) => (x <= v ? i : best), 0);
    const start = clamp(kept !== undefined ? atOrBefore(kept) : data.init);
    const onInput = () => {
      const k = clamp(+parts.input.value);
      show(parts, data, k);
      shown[data.group] = k;
      if (data.urlKey) {
        // the address bar follows, so a shared link opens at this step (the default leaves it out)
        const url = new URL(window.location.href);
        if (data.frameValues[k] === data.urlDefault) url.searchParams.delete(data.urlKey);
        else url.searchParams.set(data.urlKey, String(data.frameValues[k]));
        window.history.replaceState(window.history.state, "", url);
      }
      document.dispatchEvent(new CustomEvent(EVENT, { detail: { group: data.group, index: k } }));
    };
    parts.input.addEventListener("input", onInput);
    show(parts, data, start);
    shown[data.group] = start;
    document.dispatchEvent(new CustomEvent(EVENT, { detail: { group: data.group, index: start } }));
    cleanup = () => parts.input.removeEventListener("input", onInput);
  } else {
    const onStep = (e) => e.detail.group === data.group && show(parts, data, clamp(e.detail.index));
    document.addEventListener(EVENT, onStep);
    show(parts, data, clamp(shown[data.group] !== undefined ? shown[data.group] : data.init));
    cleanup = () => document.removeEventListener(EVENT, onStep);
  }
  root.__cleanup = cleanup;
  return cleanup;
}
