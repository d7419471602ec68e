// Statistics dashboards: draw every figure's charts with ECharts from the JSON the
// server put beside its table (<script id="figure-data-KEY">).  The numbers are the
// table's numbers; clicking a township (or a party organization, unit…) drills down
// to the row's link, like the table's first column.
(function () {
  "use strict";

  var PALETTE = ["#b71c1c", "#e65100", "#f9a825", "#2e7d32", "#1565c0", "#6a1b9a", "#00838f", "#5d4037"];

  function label(figure, key) {
    for (var i = 0; i < figure.columns.length; i++) {
      if (figure.columns[i].key === key) { return figure.columns[i].label; }
    }
    return key;
  }

  function number(value) {
    return value === null || value === undefined ? 0 : value;
  }

  function categoryAxis(names, horizontal) {
    var axis = {type: "category", data: names, axisLabel: {interval: 0, rotate: horizontal ? 0 : (names.length > 6 ? 30 : 0)}};
    return axis;
  }

  function barOption(figure, chart, rows) {
    var names = rows.map(function (row) { return row[chart.category]; });
    var series = chart.series.map(function (key, index) {
      var item = {name: label(figure, key), type: "bar", data: rows.map(function (row) { return row[key]; })};
      if (chart.stack) { item.stack = "total"; }
      if (index === 0 && chart.mark_line !== undefined) {
        item.markLine = {symbol: "none", data: [{yAxis: chart.mark_line, name: "参考值"}], label: {formatter: "参考值 {c}"}};
        if (chart.horizontal) { item.markLine.data = [{xAxis: chart.mark_line}]; }
      }
      return item;
    });
    var valueAxis = {type: "value", axisLabel: {formatter: chart.percent ? "{value}%" : "{value}"}};
    var option = {
      color: PALETTE, tooltip: {trigger: "axis"}, legend: {top: 0, type: "scroll"},
      grid: {left: 8, right: 16, top: 36, bottom: 8, containLabel: true}, series: series
    };
    if (chart.horizontal) {
      option.xAxis = valueAxis; option.yAxis = categoryAxis(names, true);
      option.yAxis.inverse = true;
    } else {
      option.xAxis = categoryAxis(names, false); option.yAxis = valueAxis;
    }
    return option;
  }

  function pieOption(data) {
    return {
      color: PALETTE, tooltip: {trigger: "item", formatter: "{b}：{c}（{d}%）"}, legend: {type: "scroll", bottom: 0},
      series: [{type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: data,
                label: {formatter: "{b}\n{c}"}}]
    };
  }

  function totalsData(figure, chart) {
    var totals = figure.totals || {};
    return chart.series.map(function (key) { return {name: label(figure, key), value: number(totals[key])}; });
  }

  function optionFor(figure, chart) {
    var rows = figure.rows;
    switch (chart.type) {
      case "funnel":
        return {
          color: PALETTE, tooltip: {trigger: "item", formatter: "{b}：{c}"},
          series: [{type: "funnel", sort: "none", left: "10%", width: "80%", top: 8, bottom: 8, minSize: "8%",
                    label: {position: "inside", formatter: "{b}\n{c}"}, data: totalsData(figure, chart)}]
        };
      case "bar":
        return barOption(figure, chart, rows);
      case "line": {
        var option = barOption(figure, chart, rows);
        option.series.forEach(function (item) { item.type = "line"; });
        return option;
      }
      case "compare": {
        var wanted = chart.rows;
        var picked = rows.filter(function (row) { return wanted.indexOf(row.id) !== -1; });
        return barOption(figure, {category: chart.category, series: chart.series}, picked);
      }
      case "pie":
        return pieOption(rows.map(function (row) { return {name: row[chart.category], value: number(row[chart.series[0]])}; }));
      case "totals_pie":
        return pieOption(totalsData(figure, chart));
      case "totals_bar": {
        var data = totalsData(figure, chart);
        return {
          color: PALETTE, tooltip: {trigger: "axis"}, grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
          xAxis: categoryAxis(data.map(function (d) { return d.name; }), false), yAxis: {type: "value"},
          series: [{type: "bar", name: "人数", data: data.map(function (d) { return d.value; })}]
        };
      }
      case "counts_pie":
        return pieOption(Object.keys(chart.counts).map(function (name) { return {name: name, value: chart.counts[name]}; }));
      default:
        return null;
    }
  }

  function isEmpty(figure, chart) {
    if (chart.type === "counts_pie") {
      return Object.keys(chart.counts).every(function (name) { return !chart.counts[name]; });
    }
    if (chart.type === "funnel" || chart.type === "totals_bar" || chart.type === "totals_pie") {
      return totalsData(figure, chart).every(function (d) { return !d.value; });
    }
    return figure.rows.length === 0;
  }

  function draw(section) {
    var key = section.getAttribute("data-figure");
    var script = document.getElementById("figure-data-" + key);
    if (!script) { return; }
    var figure = JSON.parse(script.textContent);
    section.querySelectorAll(".stats-chart").forEach(function (element) {
      var chart = figure.charts[Number(element.getAttribute("data-chart"))];
      if (!chart) { return; }
      if (isEmpty(figure, chart)) {
        element.classList.add("stats-chart-empty");
        element.textContent = "暂无数据";
        element.setAttribute("data-rendered", "empty");
        return;
      }
      var instance = echarts.init(element, null, {renderer: "canvas"});
      instance.setOption(optionFor(figure, chart));
      instance.on("click", function (params) {
        var row = chart.category ? figure.rows[params.dataIndex] : null;
        if (row && row.url && (chart.type === "bar" || chart.type === "pie" || chart.type === "line")) {
          window.location.href = row.url;
        }
      });
      element.setAttribute("data-rendered", "chart");
      window.addEventListener("resize", function () { instance.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".stats-figure").forEach(draw);
  });
})();
