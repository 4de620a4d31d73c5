/* Public portal: the region map of a product's journey, and scanning a code with the camera or a photo. */
(function () {
  "use strict";
  var el = document.getElementById("messages");
  var m = el ? JSON.parse(el.textContent) : {};  // the page's texts, translated by the node's catalogs

  function goTo(text) {
    window.location.href = "/search?q=" + encodeURIComponent(text);
  }

  function setupScanner() {
    var start = document.getElementById("scan-start");
    var file = document.getElementById("scan-file");
    var status = document.getElementById("scan-status");
    if (!start || !window.ZXing) { return; }
    var reader = new window.ZXing.BrowserMultiFormatReader();
    start.addEventListener("click", function () {
      var video = document.getElementById("scan-video");
      video.hidden = false;
      status.textContent = m.aim_camera;
      reader.decodeFromVideoDevice(undefined, "scan-video", function (result) {
        if (result) { reader.reset(); goTo(result.getText()); }
      }).catch(function () {
        status.textContent = m.no_camera;
      });
    });
    file.addEventListener("change", function () {
      if (!file.files.length) { return; }
      var url = URL.createObjectURL(file.files[0]);
      status.textContent = m.reading_photo;
      reader.decodeFromImageUrl(url).then(function (result) { goTo(result.getText()); }).catch(function () {
        status.textContent = m.no_code_in_photo;
      });
    });
  }

  function provinceOf(code) { return code.slice(0, 2) + "0000"; }

  function drawMap() {
    var el = document.getElementById("region-map");
    var data = document.getElementById("story-data");
    if (!el || !data || !window.echarts) { return; }
    var story = JSON.parse(data.textContent);
    fetch("/static/vendor/china.json").then(function (r) { return r.json(); }).then(function (geo) {
      window.echarts.registerMap("china", geo);
      var centre = {};
      var names = {};
      geo.features.forEach(function (f) { centre[f.properties.id] = f.properties.cp; names[f.properties.id] = f.properties.name; });
      var visited = {};
      story.regions.forEach(function (region) { if (names[provinceOf(region.code)]) { visited[provinceOf(region.code)] = 1; } });
      var highlighted = Object.keys(visited).map(function (id) {
        return { name: names[id], itemStyle: { areaColor: "#bfe3d3", borderColor: "#0b6e4f" } };
      });
      var points = [];
      story.regions.forEach(function (region) {
        var cp = centre[provinceOf(region.code)];
        if (cp) { points.push({ name: (region.province || "") + (region.name || ""), value: cp.concat([1]) }); }
      });
      var lines = [];
      for (var i = 1; i < points.length; i++) {
        lines.push({ coords: [points[i - 1].value.slice(0, 2), points[i].value.slice(0, 2)] });
      }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        geo: { map: "china", roam: true, itemStyle: { areaColor: "#e8eef3", borderColor: "#9fb1c1" }, regions: highlighted,
               emphasis: { disabled: true }, center: points.length ? points[0].value.slice(0, 2) : undefined,
               zoom: points.length ? 1.6 : 1 },
        series: [
          { type: "effectScatter", coordinateSystem: "geo", data: points, symbolSize: 12,
            itemStyle: { color: "#0b6e4f" }, label: { show: true, formatter: "{b}", position: "right" } },
          { type: "lines", coordinateSystem: "geo", data: lines, lineStyle: { color: "#0b6e4f", width: 2, curveness: 0.2 },
            effect: { show: false } }
        ]
      });
      el.setAttribute("data-drawn", "1");
      el.setAttribute("data-highlighted", Object.keys(visited).sort().join(" "));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function init() { setupScanner(); drawMap(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
