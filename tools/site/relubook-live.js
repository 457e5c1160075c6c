/* relubook: live figures on the static page (relubook/livefigure.py writes them).
 *
 * Each <figure class="relubook-live"> holds range inputs, the SVG of its initial state, a caption,
 * the figure's spec (JSON) and its data: every state of the sliders' grid as SVG elements, a table
 * of distinct elements plus one list of element numbers per state, gzipped and base64-encoded.
 * On input the script looks the state up and swaps the SVG's content: no server, no network, no
 * library (the browser's DecompressionStream unpacks the data).  Why not Plotly.js / Vega-Lite /
 * uPlot: see relubook/livefigure.py.  window.relubookLive.times holds each redraw's duration (ms).
 */
(function () {
  "use strict";
  if (window.relubookLive) return;
  var live = { times: [], figures: [] };
  window.relubookLive = live;

  // the figure's layout, in the house colours (accent: the palette's blue)
  var css = ".relubook-live{margin:1em 0}.relubook-live-controls{display:flex;flex-wrap:wrap;gap:.3em 1.5em;" +
    "margin-bottom:.4em;font-size:.9em}.relubook-live-control{display:flex;align-items:center;gap:.5em}" +
    ".relubook-live-control label{font-family:monospace}.relubook-live-control input{accent-color:#0072B2;width:11em}" +
    ".relubook-live-control output{min-width:3.5em;font-variant-numeric:tabular-nums}" +
    ".relubook-live-svg{display:block;background:#fff}.relubook-live-alt{font-size:.85em;color:#555;margin-top:.3em}" +
    "@media print{.relubook-live-controls{display:none}}";
  var style = document.createElement("style");
  style.textContent = css;
  (document.head || document.documentElement).appendChild(style);

  function decode(b64) {
    var bin = atob(b64.trim()), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  function setup(fig) {
    if (fig.dataset.ready) return;
    fig.dataset.ready = "1";
    var spec = JSON.parse(fig.querySelector("script.relubook-live-spec").textContent);
    var svg = fig.querySelector("svg.relubook-live-svg");
    var caption = fig.querySelector(".relubook-live-alt");
    var inputs = Array.prototype.slice.call(fig.querySelectorAll("input[type=range]"));
    var outputs = inputs.map(function (inp) { return inp.parentNode.querySelector("output"); });
    var sizes = spec.controls.map(function (c) { return c.values.length; });
    var data = null, drawn = spec.initial;
    var ready = decode(fig.querySelector("script.relubook-live-data").textContent).then(function (d) {
      data = d;
      inputs.forEach(function (inp) { inp.disabled = false; });
      fig.dataset.live = "1";
      if (index() !== drawn) draw();
      return d;
    });
    ready.catch(function (err) {
      caption.textContent += " (This browser cannot unpack the live figure: " + err + ")";
    });

    function index() {
      var k = 0;
      inputs.forEach(function (inp, i) { k = k * sizes[i] + Number(inp.value); });
      return k;
    }

    function draw() {
      inputs.forEach(function (inp, i) {
        var label = spec.controls[i].labels[Number(inp.value)];
        outputs[i].textContent = label;
        inp.setAttribute("aria-valuetext", label);
      });
      if (!data) return;
      var k = index(), t0 = performance.now();
      var table = data.table, items = data.states[k], parts = new Array(items.length);
      for (var j = 0; j < items.length; j++) parts[j] = table[items[j]];
      svg.innerHTML = parts.join("");
      svg.setAttribute("aria-label", data.alts[k]);
      caption.textContent = data.alts[k];
      fig.dataset.state = String(k);
      drawn = k;
      live.times.push(performance.now() - t0);
    }

    inputs.forEach(function (inp) { inp.addEventListener("input", draw); });
    var api = {
      element: fig, spec: spec, ready: ready, draw: draw, index: index,
      // the state number of a choice of slider positions (an array of indices)
      stateOf: function (pos) { var k = 0; pos.forEach(function (p, i) { k = k * sizes[i] + p; }); return k; },
      svgOf: function (k) { return data.states[k].map(function (i) { return data.table[i]; }).join(""); }
    };
    live.figures.push(api);
    return api;
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.relubook-live"), setup);
  }
  live.setup = setup;
  live.start = start;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
