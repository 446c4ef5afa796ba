// Draw every <canvas> that has a sibling JSON block (id "<canvas-id>-data") with Chart.js.
(function () {
  "use strict";
  var palette = ["#b2182b", "#2166ac", "#e08214", "#1b7837", "#762a83", "#8c510a", "#01665e", "#c51b7d",
                 "#4d4d4d", "#5aae61", "#fdb863", "#92c5de", "#d6604d", "#35978f", "#bf812d", "#9970ab"];
  function draw(canvas, data) {
    var datasets = data.series.map(function (s, i) {
      var colour = palette[i % palette.length];
      return { label: s.key, data: s.values, backgroundColor: colour, borderColor: colour,
               fill: data.stacked, pointRadius: data.labels.length < 40 ? 3 : 0, borderWidth: data.stacked ? 0 : 2 };
    });
    new Chart(canvas, {
      type: data.stacked ? "bar" : "line",
      data: { labels: data.labels, datasets: datasets },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 scales: { x: { stacked: data.stacked }, y: { stacked: data.stacked, beginAtZero: true } },
                 plugins: { legend: { display: datasets.length > 1, position: "bottom" } } }
    });
  }
  window.vigilChart = function (canvas, data) { if (typeof Chart !== "undefined") { draw(canvas, data); } };
  document.querySelectorAll("canvas[id]").forEach(function (canvas) {
    var block = document.getElementById(canvas.id + "-data");
    if (!block || typeof Chart === "undefined") { return; }
    draw(canvas, JSON.parse(block.textContent));
  });
})();
