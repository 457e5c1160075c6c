/* relubook: lets the Jupyter widget manager (html-manager 1.0, embed-amd.js) draw the embedded
 * widget state from the book's own static files.  Loaded after require.js and before
 * embed-amd.js (nb_ipywidgets_js in _config.yml); tools/vendor_js.sh copies it to
 * _static/offline/widgets.js.
 *   1. embed-amd.js looks for its fonts next to its AMD module, which require.js would place
 *      beside the page: map the module to our copy instead.
 *   2. html-manager typesets widget labels with MathJax 2's API (MathJax.Hub.Queue); the book
 *      loads MathJax 3, so give it a Hub that calls MathJax 3.
 *   3. An image drawn from widget state gets the alt text stored with it in the output's
 *      metadata (relubook.plotting.show puts it there); html-manager leaves alt empty.
 */
(function () {
  "use strict";
  var src = document.currentScript && document.currentScript.src;
  var here = src ? src.slice(0, src.lastIndexOf("/") + 1) : "";
  if (window.require && window.require.config && here) {
    window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": here + "widgets" } });
  }

  function mathjaxHub() {
    var mj = window.MathJax;
    if (!mj || !mj.version || mj.Hub) return;
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
            mj.startup.promise.then(function () { return mj.typesetPromise([job[2]]); });
          }
        });
      }
    };
  }

  var alts = null;
  function altTexts() {
    if (alts) return alts;
    alts = {};
    var states = document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]');
    Array.prototype.forEach.call(states, function (script) {
      var models = (JSON.parse(script.textContent).state) || {};
      Object.keys(models).forEach(function (id) {
        var outputs = (models[id].state && models[id].state.outputs) || [];
        outputs.forEach(function (out) {
          var data = out.data || {}, meta = out.metadata || {};
          Object.keys(data).forEach(function (mime) {
            if (mime.indexOf("image/") !== 0) return;
            var alt = (meta[mime] && meta[mime].alt) || meta.alt;
            if (alt) alts[String(data[mime]).replace(/\s/g, "")] = alt;
          });
        });
      });
    });
    return alts;
  }

  function label(img) {
    if (img.getAttribute("alt") && img.getAttribute("alt") !== "Image") return;
    var s = img.getAttribute("src") || "", comma = s.indexOf(",");
    var alt = s.indexOf("data:image/") === 0 && comma > 0 ? altTexts()[s.slice(comma + 1)] : null;
    img.setAttribute("alt", alt || "Figure drawn by the widget; the static figure beside it shows the same state.");
  }

  function labelWidgetImages(root) {
    var imgs = root.querySelectorAll ? root.querySelectorAll(".widget-subarea img, .jupyter-widgets img") : [];
    Array.prototype.forEach.call(imgs, label);
    if (root.tagName === "IMG" && root.closest && root.closest(".widget-subarea, .jupyter-widgets")) label(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    mathjaxHub();
    if (!document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]')) return;
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        Array.prototype.forEach.call(r.addedNodes, function (n) { if (n.nodeType === 1) labelWidgetImages(n); });
        if (r.type === "attributes" && r.target.tagName === "IMG") labelWidgetImages(r.target);
      });
    }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["src"] });
  });
})();
