// Draws every chart on the page from the figure JSON the server rendered beside it.
// No inline script: each container names the <script type="application/json"> holding its figure.
(function () {
  "use strict";
  function draw(container) {
    var source = document.getElementById(container.dataset.figure);
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout;
    // A chart may carry a phone layout (the spine: shorter names, smaller type): used when
    // the chart's box is narrower than the width the server names.
    var narrow = layout.meta && layout.meta.narrow;
    if (narrow && container.clientWidth < narrow.width_below) {
      layout = Object.assign({}, layout, narrow, {
        yaxis: Object.assign({}, layout.yaxis, narrow.yaxis),
      });
    }
    window.Plotly.newPlot(container, figure.data, layout, {
      responsive: true,
      displaylogo: false,
      showSendToCloud: false, // plotly.js 4 otherwise offers "Share chart..." (upload to Plotly Cloud)
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
    }).then(function () {
      // The figcaption and the Table tab carry the chart's content for screen readers; the
      // SVG's stray axis labels would only repeat it out of order. The tool buttons stay reachable.
      container.querySelectorAll("svg.main-svg").forEach(function (svg) {
        svg.setAttribute("aria-hidden", "true");
      });
      container.setAttribute("data-drawn", "true");
    });
  }
  function drawAll() {
    document.querySelectorAll("[data-figure]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
