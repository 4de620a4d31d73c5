/* Regulator desk charts: coverage by class against targets, coverage by region on a map, event volume, and the
   trace graph. Data comes from the page (JSON in a script tag), the same the JSON twin returns. */
(function () {
  "use strict";
  function json(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var m = json("messages") || {};  // the page's texts, translated by the node's catalogs
  var en = document.documentElement.lang === "en";  // which of two names that come with the data to show
  function chart(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { c.resize(); });
    el.setAttribute("data-drawn", "1");
    return c;
  }

  function coverage(data) {
    var byClass = {};
    data.coverage.forEach(function (row) {
      var c = byClass[row["class"]] || (byClass[row["class"]] = { name: (en && row.class_name_en) || row.class_name, registered: 0, active: 0, target: row.target });
      c.registered += row.registered; c.active += row.active;
    });
    var names = Object.keys(byClass);
    var c = chart("coverage-chart");
    c.setOption({
      animation: false, tooltip: { trigger: "axis" }, legend: { top: 0, data: [m.coverage, m.target] },
      grid: { left: 40, right: 10, bottom: 70 },
      xAxis: { type: "category", data: names.map(function (k) { return byClass[k].name; }), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: m.coverage, type: "bar", itemStyle: { color: "#0b6e4f" },
          data: names.map(function (k) { var x = byClass[k]; return x.registered ? Math.round(100 * x.active / x.registered) : 0; }) },
        { name: m.target, type: "bar", itemStyle: { color: "#c9d4dd" },
          data: names.map(function (k) { return Math.round(100 * byClass[k].target); }) }
      ]
    });
  }

  function regions(data) {
    var c = chart("region-chart");
    var byProvince = {};
    data.coverage.forEach(function (row) {
      if (!row.region) { return; }
      var p = byProvince[row.region.slice(0, 2) + "0000"] || (byProvince[row.region.slice(0, 2) + "0000"] = { r: 0, a: 0 });
      p.r += row.registered; p.a += row.active;
    });
    fetch("/static/vendor/china.json").then(function (r) { return r.json(); }).then(function (geo) {
      window.echarts.registerMap("china", geo);
      var names = {};
      geo.features.forEach(function (f) { names[f.properties.id] = f.properties.name; });
      var scope = data.scope ? data.scope.slice(0, 2) + "0000" : null;
      var values = Object.keys(byProvince).map(function (id) {
        var p = byProvince[id]; return { name: names[id] || id, value: p.r ? Math.round(100 * p.a / p.r) : 0 };
      });
      if (scope && names[scope]) {
        var mine = values.filter(function (v) { return v.name === names[scope]; })[0];
        if (!mine) { mine = { name: names[scope], value: 0 }; values.push(mine); }
        mine.itemStyle = { borderColor: "#b3261e", borderWidth: 2.5 };
        document.getElementById("region-chart").setAttribute("data-highlighted", scope);
      }
      c.setOption({
        animation: false, tooltip: { trigger: "item", formatter: "{b}: {c}%" },
        visualMap: { min: 0, max: 100, left: 10, bottom: 10, text: ["100%", "0%"], calculable: false,
                     inRange: { color: ["#fdecea", "#f6d365", "#0b6e4f"] } },
        series: [{ type: "map", map: "china", data: values, roam: true, emphasis: { label: { show: true } } }]
      });
    });
  }

  function volume(data) {
    var c = chart("volume-chart");
    c.setOption({
      animation: false, tooltip: { trigger: "axis" }, grid: { left: 50, right: 10, bottom: 30 },
      xAxis: { type: "category", data: data.volume.map(function (v) { return v.day; }) },
      yAxis: { type: "value" },
      series: [{ type: "bar", name: m.events, itemStyle: { color: "#2f6fa3" },
                 data: data.volume.map(function (v) { return v.events; }) }]
    });
  }

  function traceGraph(view) {
    var c = chart("trace-graph");
    var colours = { code: "#b3261e", thing: "#2f6fa3", party: "#0b6e4f" };
    var names = { code: m.code_traced, thing: m.thing, party: m.party };
    c.setOption({
      animation: false, tooltip: {},
      legend: [{ data: [names.code, names.thing, names.party] }],
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, force: { repulsion: 220, edgeLength: 90 },
        categories: ["code", "thing", "party"].map(function (k) { return { name: names[k], itemStyle: { color: colours[k] } }; }),
        label: { show: true, position: "right", fontSize: 10 },
        edgeSymbol: ["none", "arrow"], edgeLabel: { show: true, formatter: function (p) { return p.data.label; }, fontSize: 9 },
        data: view.nodes.map(function (n) {
          return { id: n.id, name: n.name, category: names[n.category], symbolSize: n.category === "party" ? 22 : 14,
                   itemStyle: { color: colours[n.category] } };
        }),
        links: view.edges.map(function (e) { return { source: e.source, target: e.target, label: e.label }; })
      }]
    });
  }

  function init() {
    if (!window.echarts) { return; }
    var data = json("desk-data");
    if (data) { coverage(data); regions(data); volume(data); }
    var view = json("trace-data");
    if (view) { traceGraph(view); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
