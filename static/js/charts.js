// Draws every chart on the page from the figure JSON the server rendered beside it.
// No inline script: each container names the <script type="application/json"> holding its figure.
(function () {
  "use strict";
  function draw(container) {
    var source = document.getElementById(container.dataset.figure);
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(container, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
    }).then(function () {
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
