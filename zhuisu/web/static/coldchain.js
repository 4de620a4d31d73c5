/* The product page's cold-chain chart: the readings of the story (#story-data, cold_chain.series) as a line, the
   class's range as a band. Drawn only when ECharts is loaded; the table above says the same without it. */
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("coldchain-chart");
    var data = document.getElementById("story-data");
    if (!el || !data || !window.echarts) { return; }
    var cold = JSON.parse(data.textContent).cold_chain;
    if (!cold || !cold.series.length) { return; }
    var band = cold.allowed ? [[{ yAxis: cold.allowed[0] }, { yAxis: cold.allowed[1] }]] : [];
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 36, right: 12, top: 12, bottom: 24 },
      xAxis: { type: "time" },
      yAxis: { type: "value", name: "°C", scale: true },
      tooltip: { trigger: "axis" },
      series: [{
        type: "line", showSymbol: false, data: cold.series, lineStyle: { color: "#0b6e4f", width: 1.5 },
        markArea: { silent: true, itemStyle: { color: "rgba(11, 110, 79, 0.12)" }, data: band }
      }]
    });
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // after ECharts (deferred, later in the page) has loaded
  if (document.readyState === "complete") { draw(); } else { window.addEventListener("load", draw); }
})();
