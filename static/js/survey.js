// The questionnaire's results: one horizontal bar chart per shown question (counts per option or
// per rating), beside the table with the same figures. Data from the page's json_script block;
// loaded only on that page, after echarts.min.js.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("survey-data");
    if (!source || !window.echarts) return;
    var charts = [];
    JSON.parse(source.textContent).forEach(function (item) {
      var container = document.getElementById(item.id);
      if (!container) return;
      container.style.height = Math.max(140, 36 * item.labels.length + 40) + "px"; // CSSOM: allowed by the CSP
      var chart = window.echarts.init(container, null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        tooltip: { trigger: "item", renderMode: "richText" },
        grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: {
          type: "category",
          inverse: true,
          data: item.labels,
          axisLabel: { width: 120, overflow: "truncate" }
        },
        series: [{ type: "bar", data: item.counts, label: { show: true, position: "right" }, itemStyle: { color: "#c0392b" } }]
      });
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
