// The statistics page's charts: a pie or bars for each table that has one, drawn from the page's
// json_script block (no inline script: the CSP allows none). A click on a slice or a bar opens
// the list of the members behind it, as a click on the table's figure does.
(function () {
  "use strict";

  // Several series over years (the trends: stacked bars and lines) or over the organisations below
  // (grouped bars, one row each, as many rows as there are organisations).
  function seriesOption(spec, container) {
    var unit = spec.unit === "%" ? "%" : " 人";
    var byYear = spec.series.some(function (s) { return s.type === "line"; });
    var series = spec.series.map(function (s) {
      return {
        name: s.name, type: s.type, stack: s.stack || undefined, data: s.data,
        symbolSize: 8, label: { show: !byYear && spec.series.length === 1, position: "right" }
      };
    });
    var tooltip = { trigger: "item", renderMode: "richText",
                    formatter: function (p) { return p.name + "\n" + p.seriesName + "：" + p.value + unit; } };
    if (byYear) {
      return {
        animation: false, tooltip: tooltip, legend: { top: 0, type: "scroll" },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: spec.categories },
        yAxis: { type: "value", minInterval: 1 },
        series: series
      };
    }
    var rows = spec.categories.length * Math.max(1, spec.series.length);
    container.style.height = Math.max(280, 40 + rows * 14 + spec.categories.length * 8) + "px";
    return {
      animation: false, tooltip: tooltip, legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 40, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, max: spec.unit === "%" ? 100 : undefined },
      yAxis: { type: "category", inverse: true, data: spec.categories,
               axisLabel: { width: 110, overflow: "truncate" } },
      series: series
    };
  }

  function draw() {
    var source = document.getElementById("stats-charts");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var charts = [];
    data.charts.forEach(function (spec) {
      var container = document.getElementById("chart-" + spec.key);
      if (!container) return;
      container.style.height = "280px"; // CSSOM, not a style attribute: allowed by the CSP
      var option;
      if (spec.kind === "series") {
        option = seriesOption(spec, container);
      } else if (spec.kind === "pie") {
        var items = spec.items.map(function (item) {
          return { name: item.name, value: item.value, url: item.url };
        });
        option = {
          animation: false,
          tooltip: { trigger: "item", renderMode: "richText", formatter: "{b}\n{c} 人（{d}%）" },
          legend: { bottom: 0, type: "scroll" },
          series: [{
            type: "pie", radius: ["30%", "62%"], center: ["50%", "44%"],
            label: { formatter: "{b}\n{c}" }, data: items.filter(function (i) { return i.value > 0; })
          }]
        };
      } else {
        var items = spec.items.map(function (item) {
          return { name: item.name, value: item.value, url: item.url };
        });
        option = {
          animation: false,
          tooltip: { trigger: "item", renderMode: "richText", formatter: "{b}\n{c}" },
          grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
          xAxis: { type: "value", minInterval: 1 },
          yAxis: { type: "category", inverse: true, data: items.map(function (i) { return i.name; }),
                   axisLabel: { width: 110, overflow: "truncate" } },
          series: [{ type: "bar", data: items, label: { show: true, position: "right" } }]
        };
      }
      var chart = window.echarts.init(container, null, { renderer: "canvas" });
      chart.setOption(option);
      chart.on("click", function (params) {
        if (params.data && params.data.url) window.location.assign(params.data.url);
      });
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
