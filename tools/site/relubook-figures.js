/* relubook: every static figure of a chapter (a PNG that a code cell drew) opens at full size when
 * tapped or clicked, so that a reader on a phone, where the column shrinks a figure to about half its
 * size, can open it alone and zoom in.  The link is the image file itself, next to the page, so it
 * works offline.  Live figures (SVG), animations, widgets and images embedded as data are left alone.
 * tests_browser/test_site.py checks that every such figure is linked and that the link resolves.
 */
(function () {
  "use strict";
  var SKIP = "a, .relubook-animation, .relubook-live, .jupyter-widgets, .widget-interact, .widget-subarea";

  function linkFigures() {
    var images = document.querySelectorAll(".bd-article .cell_output img");
    for (var i = 0; i < images.length; i++) {
      var img = images[i], src = img.getAttribute("src") || "";
      if (!src || src.indexOf("data:") === 0 || img.closest(SKIP)) continue;
      var a = document.createElement("a");
      a.href = src;
      a.className = "relubook-figure-link";
      a.title = "Open the figure at full size";
      img.parentNode.insertBefore(a, img);
      a.appendChild(img);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", linkFigures);
  } else {
    linkFigures();
  }
})();
