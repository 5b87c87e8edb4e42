/* Tiny SVG charts for the staff console (no third-party code on staff pages). */
const Charts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const PALETTE = {browse: "#5aa2ff", consider: "#8250df", purchase: "#2da44e", post_purchase: "#bf8700",
    account: "#6e7781", conversation: "#d0d7de", conversations: "#0b5cff", handed_off: "#cf222e"};
  const node = (tag, attrs, text) => {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    return n;
  };
  const svg = (w, h) => node("svg", {viewBox: `0 0 ${w} ${h}`, width: "100%", role: "img"});

  /** Horizontal bars: [[label, value], ...]. */
  function bars(pairs, {width = 440, row = 20, color = "#0b5cff"} = {}) {
    const max = Math.max(1, ...pairs.map((p) => p[1]));
    const s = svg(width, pairs.length * row + 6);
    pairs.forEach(([label, value], i) => {
      const y = i * row + 3, w = (width - 190) * value / max;
      s.append(node("text", {x: 0, y: y + 13, "font-size": 11, fill: "#3d4b5c"}, label));
      s.append(node("rect", {x: 150, y, width: Math.max(1, w), height: row - 6, rx: 3, fill: color}));
      s.append(node("text", {x: 154 + w, y: y + 13, "font-size": 11, fill: "#1c2733"}, String(value)));
    });
    return s;
  }

  /** Stacked columns per day: days = [{day, stages: {name: n}}]. */
  function stacked(days, keys, {width = 440, height = 180} = {}) {
    const s = svg(width, height + 24);
    const totals = days.map((d) => keys.reduce((a, k) => a + (d.stages[k] || 0), 0));
    const max = Math.max(1, ...totals), step = (width - 30) / Math.max(1, days.length);
    days.forEach((d, i) => {
      let y = height;
      for (const k of keys) {
        const h = height * (d.stages[k] || 0) / max;
        if (h > 0) { y -= h; s.append(node("rect", {x: 30 + i * step + 1, y, width: Math.max(1, step - 2), height: h, fill: PALETTE[k] || "#999"})); }
      }
      if (days.length <= 14 || i % Math.ceil(days.length / 10) === 0)
        s.append(node("text", {x: 30 + i * step, y: height + 14, "font-size": 9, fill: "#57606a"}, d.day.slice(5)));
    });
    s.append(node("text", {x: 0, y: 10, "font-size": 10, fill: "#57606a"}, String(max)));
    return s;
  }

  /** Lines per series: series = {name: [values...]}, labels = [day...]. */
  function lines(labels, series, {width = 440, height = 160} = {}) {
    const s = svg(width, height + 24);
    const all = Object.values(series).flat();
    const max = Math.max(1, ...all), n = Math.max(1, labels.length - 1);
    for (const [name, values] of Object.entries(series)) {
      const pts = values.map((v, i) => `${30 + (width - 40) * i / n},${height - height * v / max}`).join(" ");
      s.append(node("polyline", {points: pts, fill: "none", stroke: PALETTE[name] || "#333", "stroke-width": 2}));
    }
    labels.forEach((l, i) => {
      if (labels.length <= 14 || i % Math.ceil(labels.length / 10) === 0)
        s.append(node("text", {x: 30 + (width - 40) * i / n - 10, y: height + 14, "font-size": 9, fill: "#57606a"}, l.slice(5)));
    });
    s.append(node("text", {x: 0, y: 10, "font-size": 10, fill: "#57606a"}, String(max)));
    return s;
  }

  /** Purchase-intent history: points = [{score}] in 0..1. */
  function sparkline(points, {width = 260, height = 46} = {}) {
    const s = svg(width, height);
    if (!points.length) return s;
    const n = Math.max(1, points.length - 1);
    const pts = points.map((p, i) => `${4 + (width - 8) * i / n},${height - 4 - (height - 8) * (p.score || 0)}`).join(" ");
    s.append(node("line", {x1: 0, x2: width, y1: height / 2, y2: height / 2, stroke: "#edf0f3"}));
    s.append(node("polyline", {points: pts, fill: "none", stroke: "#2da44e", "stroke-width": 2}));
    return s;
  }

  function legend(keys) {
    const div = document.createElement("div");
    div.className = "legend";
    for (const k of keys) {
      const span = document.createElement("span");
      const i = document.createElement("i");
      i.style.background = PALETTE[k] || "#999";
      span.append(i, k.replace("_", " "));
      div.append(span);
    }
    return div;
  }
  return {bars, stacked, lines, sparkline, legend};
})();
