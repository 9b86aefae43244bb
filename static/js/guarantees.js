// The guarantee compliance page's chart: per county (or township) the villages and communities
// meeting every floor, falling short, and not reported, as stacked bars. Data from the page's
// json_script block; loaded only on that page, after echarts.min.js.
(function () {
  "use strict";

  function draw() {
    var container = document.getElementById("guarantee-chart");
    var source = document.getElementById("guarantee-data");
    if (!container || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    // CSSOM, not a style attribute: allowed by the page's CSP
    container.style.height = Math.max(220, 60 + data.areas.length * 34) + "px";
    var chart = window.echarts.init(container, null, { renderer: "canvas" });
    function bar(name, values, colour) {
      return { name: name, type: "bar", stack: "all", data: values, itemStyle: { color: colour },
               label: { show: true, formatter: function (p) { return p.value ? p.value : ""; } } };
    }
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.areas, inverse: true,
               axisLabel: { width: 110, overflow: "truncate" } },
      series: [
        bar("全部达标", data.met, "#2e7d32"),
        bar("有未达标项", data.short, "#c0392b"),
        bar("未填报", data.unreported, "#adb5bd")
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
