// The history page's chart: score per year for the unit (and for each secretary who also reported
// for another unit), each point marked with its grade. Data from the page's json_script block;
// loaded only on that page, after echarts.min.js.
(function () {
  "use strict";

  var GRADE_COLOURS = { "好": "#c0392b", "较好": "#e67e22", "一般": "#2c7fb8", "差": "#343a40" };
  var GRADE_SYMBOLS = { "好": "circle", "较好": "diamond", "一般": "triangle", "差": "rect" };

  function draw() {
    var container = document.getElementById("history-chart");
    var source = document.getElementById("history-data");
    if (!container || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    container.style.height = "340px"; // CSSOM, not a style attribute: allowed by the page's CSP

    var series = data.series.map(function (line) {
      var isUnit = line.kind === "unit";
      return {
        name: line.name,
        type: "line",
        connectNulls: true,
        symbolSize: isUnit ? 12 : 9,
        lineStyle: { width: isUnit ? 3 : 2, type: isUnit ? "solid" : "dashed" },
        label: {
          show: isUnit,
          position: "top",
          formatter: function (params) { return params.data ? params.data.grade : ""; }
        },
        data: line.points.map(function (point) {
          if (!point) return null;
          return {
            value: point.score,
            grade: point.grade,
            cycle: point.cycle,
            symbol: GRADE_SYMBOLS[point.grade] || "circle",
            itemStyle: { color: GRADE_COLOURS[point.grade] || "#6c757d" }
          };
        })
      };
    });

    var chart = window.echarts.init(container, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      // rich text: drawn on the canvas, so no inline style attributes for the CSP to refuse
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (params) {
          var point = params.data || {};
          return params.seriesName + "\n" + params.name + " " + (point.cycle || "") +
            "\n综合得分 " + params.value + "  等次 " + (point.grade || "");
        }
      },
      legend: { top: 0 },
      grid: { left: 48, right: 24, top: 48, bottom: 32 },
      xAxis: { type: "category", data: data.years, boundaryGap: true },
      yAxis: {
        type: "value",
        name: "综合得分",
        max: 100,
        // from the nearest ten below the lowest score: round ticks, and the differences still show
        min: function (extent) { return Math.max(0, Math.floor((extent.min - 5) / 10) * 10); }
      },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
