// Kernel-free width explorer: redraws precomputed Nadaraya-Watson fits and attention
// weights (embedded as JSON by nwlib.static_explorer) as SVG when the reader moves the
// slider or picks a kernel. Plain DOM and SVG only, so the page needs nothing from a server.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var W = 640, H = 300, M = { left: 52, right: 14, top: 14, bottom: 42 };
  var HH = 190, HM = { left: 52, right: 14, top: 10, bottom: 42 };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, content, attrs) {
    var t = el("text", Object.assign({ x: x, y: y, "font-size": 12, fill: "currentColor" }, attrs || {}), parent);
    t.textContent = content;
    return t;
  }

  function extent(arrays) {
    var lo = Infinity, hi = -Infinity;
    arrays.forEach(function (a) {
      a.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    });
    var pad = 0.05 * (hi - lo || 1);
    return [lo - pad, hi + pad];
  }

  function scale(domain, range) {
    return function (v) {
      return range[0] + (v - domain[0]) / (domain[1] - domain[0]) * (range[1] - range[0]);
    };
  }

  // A path that lifts the pen over missing values, so gaps stay visible.
  function pathData(xs, ys, sx, sy) {
    var d = "", pen = "M";
    for (var i = 0; i < xs.length; i++) {
      if (ys[i] === null) { pen = "M"; continue; }
      d += pen + sx(xs[i]).toFixed(1) + "," + sy(ys[i]).toFixed(1);
      pen = "L";
    }
    return d;
  }

  function axes(svg, sx, sy, xdom, ydom, xlabel, ylabel, w, h, m) {
    el("line", { x1: m.left, x2: w - m.right, y1: h - m.bottom, y2: h - m.bottom, stroke: "currentColor", "stroke-opacity": 0.7 }, svg);
    el("line", { x1: m.left, x2: m.left, y1: m.top, y2: h - m.bottom, stroke: "currentColor", "stroke-opacity": 0.7 }, svg);
    for (var x = Math.ceil(xdom[0]); x <= xdom[1]; x++) {
      text(svg, sx(x), h - m.bottom + 16, String(x), { "text-anchor": "middle" });
    }
    if (ydom) {
      var step = (ydom[1] - ydom[0]) > 8 ? 2 : 1;
      for (var y = Math.ceil(ydom[0] / step) * step; y <= ydom[1]; y += step) {
        text(svg, m.left - 6, sy(y) + 4, String(y), { "text-anchor": "end" });
      }
    }
    text(svg, (m.left + w - m.right) / 2, h - 6, xlabel, { "text-anchor": "middle" });
    text(svg, 14, (m.top + h - m.bottom) / 2, ylabel,
      { "text-anchor": "middle", transform: "rotate(-90 14 " + (m.top + h - m.bottom) / 2 + ")" });
  }

  function init(root) {
    var d = JSON.parse(root.querySelector("script.nw-explorer-data").textContent);
    root.setAttribute("data-nw-ready", "true");
    // Follow the book's light or dark theme (pydata-sphinx-theme's variables); text and
    // axes draw in currentColor, and the weights' blue reads on either background.
    root.style.cssText = "background:var(--pst-color-background,#fff);" +
      "color:var(--pst-color-text-base,#222);padding:0.5em;border-radius:4px";

    var controls = document.createElement("div");
    controls.className = "nw-explorer-controls";
    controls.style.cssText = "display:flex;gap:1em;align-items:center;flex-wrap:wrap;margin:0.5em 0";
    var label = document.createElement("label");
    label.textContent = "width h ";
    var slider = document.createElement("input");
    slider.type = "range"; slider.min = 0; slider.max = d.widths.length - 1; slider.step = 1;
    slider.value = d.start; slider.className = "nw-width-slider";
    slider.setAttribute("aria-label", "kernel width");
    label.appendChild(slider);
    var shown = document.createElement("output");
    shown.className = "nw-width-value";
    var pick = document.createElement("select");
    pick.className = "nw-kernel-select"; pick.setAttribute("aria-label", "kernel");
    d.kernels.forEach(function (k) {
      var o = document.createElement("option"); o.value = k; o.textContent = k; pick.appendChild(o);
    });
    controls.appendChild(label); controls.appendChild(shown); controls.appendChild(pick);
    root.appendChild(controls);

    var xdom = extent([d.x_query, d.x_train]);
    var ydom = extent([d.y_train, d.y_true]);
    var sx = scale(xdom, [M.left, W - M.right]), sy = scale(ydom, [H - M.bottom, M.top]);
    var plot = el("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", role: "img",
      "aria-label": "data, true function and Nadaraya-Watson fit", "class": "nw-fit-plot" }, root);
    plot.style.maxWidth = W + "px";
    axes(plot, sx, sy, xdom, ydom, "input x (keys and queries)", "output y (values)", W, H, M);
    el("path", { d: pathData(d.x_query, d.y_true, sx, sy), fill: "none", stroke: "#2ca02c",
      "stroke-width": 2, "stroke-dasharray": "6 4", "class": "nw-true" }, plot);
    d.x_train.forEach(function (x, i) {
      el("circle", { cx: sx(x).toFixed(1), cy: sy(d.y_train[i]).toFixed(1), r: 3.5,
        fill: "#1f77b4", "fill-opacity": 0.7 }, plot);
    });
    var fit = el("path", { fill: "none", stroke: "#d62728", "stroke-width": 2.5, "class": "nw-fit" }, plot);
    [["#1f77b4", "keys and values"], ["#2ca02c", "true function"], ["#d62728", "prediction"]]
      .forEach(function (item, i) {
        el("rect", { x: M.left + 10, y: M.top + 4 + 16 * i, width: 12, height: 4, fill: item[0] }, plot);
        text(plot, M.left + 28, M.top + 10 + 16 * i, item[1]);
      });

    var rows = d.heatmap_rows.length, cols = d.x_train.length;
    var heat = el("svg", { viewBox: "0 0 " + W + " " + HH, width: "100%", role: "img",
      "aria-label": "attention weights of some queries over the keys", "class": "nw-weights-plot" }, root);
    heat.style.maxWidth = W + "px";
    var cw = (W - HM.left - HM.right) / cols, ch = (HH - HM.top - HM.bottom) / rows;
    var cells = [];
    for (var r = 0; r < rows; r++) {
      cells.push([]);
      text(heat, HM.left - 6, HM.top + ch * (r + 0.5) + 4, d.x_query[d.heatmap_rows[r]].toFixed(1),
        { "text-anchor": "end", "font-size": 10 });
      for (var c = 0; c < cols; c++) {
        cells[r].push(el("rect", { x: (HM.left + c * cw).toFixed(1), y: (HM.top + r * ch).toFixed(1),
          width: cw.toFixed(1), height: ch.toFixed(1), fill: "#3a7dc9", "fill-opacity": 0 }, heat));
      }
    }
    text(heat, (HM.left + W - HM.right) / 2, HH - 22, "key i (keys sorted by x)", { "text-anchor": "middle" });
    text(heat, (HM.left + W - HM.right) / 2, HH - 6,
      "stronger blue = more attention; grey row = no key in reach", { "text-anchor": "middle", "font-size": 10 });
    text(heat, 14, (HM.top + HH - HM.bottom) / 2, "query q",
      { "text-anchor": "middle", transform: "rotate(-90 14 " + (HM.top + HH - HM.bottom) / 2 + ")" });

    function draw() {
      var k = pick.value, i = Number(slider.value);
      shown.textContent = "h = " + d.widths[i] + " (" + k + ")";
      fit.setAttribute("d", pathData(d.x_query, d.fits[k][i], sx, sy));
      var w = d.weights[k][i], top = 0;
      w.forEach(function (row) { row.forEach(function (v) { if (v !== null) top = Math.max(top, v); }); });
      for (var r = 0; r < rows; r++) {
        for (var c = 0; c < cols; c++) {
          var v = w[r][c];
          cells[r][c].setAttribute("fill", v === null ? "#bbb" : "#3a7dc9");
          cells[r][c].setAttribute("fill-opacity", v === null ? 1 : (top ? v / top : 0).toFixed(3));
        }
      }
    }
    slider.addEventListener("input", draw);
    pick.addEventListener("change", draw);
    draw();
  }

  document.querySelectorAll("[data-nw-explorer]:not([data-nw-ready])").forEach(init);
})();
