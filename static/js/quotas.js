// Development plans: the what-if page's bar chart of gains and losses against the
// baseline scenario (data from the page's <script type="application/json"> element).
(function () {
  "use strict";

  function drawWhatIfChart() {
    var holder = document.getElementById("whatif-chart");
    var source = document.getElementById("whatif-chart-data");
    if (!holder || !source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: data.categories,
        axisLabel: { rotate: 40, interval: 0, width: 110, overflow: "truncate" }
      },
      yAxis: { type: "value", name: "名额变化", minInterval: 1 },
      series: data.series.map(function (series) {
        return {
          name: series.name,
          type: "bar",
          barMaxWidth: 40,
          data: series.data,
          label: { show: true, position: "top", formatter: function (p) { return p.value > 0 ? "+" + p.value : p.value; } },
          markLine: { silent: true, symbol: "none", data: [{ yAxis: 0 }], lineStyle: { color: "#6c757d" } }
        };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", drawWhatIfChart);
})();
