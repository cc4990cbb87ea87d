// The public performance dashboard: the trend chart (Chart.js) and the choropleth of the rates
// by area (Leaflet). The page's tables carry every figure; this only draws them.
(function () {
  "use strict";
  var LINE_COLOURS = { response: "#0b5394", resolution: "#1e6b30", on_time: "#6a3d9a", satisfaction: "#b77400", reopen: "#a4161a" };
  // Five steps from poor to good (ColorBrewer RdYlGn), and grey for no data.
  var STEPS = [[0.5, "#d73027"], [0.7, "#fc8d59"], [0.8, "#fee08b"], [0.9, "#91cf60"], [1.01, "#1a9850"]];
  var NO_DATA = "#bfc5cc";
  var VERDICT_COLOURS = { slower: "#d73027", faster: "#1a9850", no_evidence: "#e0e0e0", too_few: NO_DATA };

  function chart() {
    var el = document.getElementById("trend-chart");
    if (!el || typeof Chart === "undefined") { return; }
    var data = JSON.parse(el.dataset.trend);
    var labels = JSON.parse(el.dataset.labels);
    var datasets = Object.keys(data.series).map(function (name) {
      return { label: labels[name] || name, data: data.series[name], borderColor: LINE_COLOURS[name],
               backgroundColor: LINE_COLOURS[name], spanGaps: true, tension: 0.2 };
    });
    el.chart = new Chart(el, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: { animation: false, maintainAspectRatio: false,
                 scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } } }
    });
  }

  function colourOf(value, lowerIsBetter) {
    if (value === null || value === undefined) { return NO_DATA; }
    var score = lowerIsBetter ? 1 - value : value;
    for (var i = 0; i < STEPS.length; i++) { if (score < STEPS[i][0]) { return STEPS[i][1]; } }
    return STEPS[STEPS.length - 1][1];
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function legend(el, measure) {
    var list = document.getElementById("rate-legend");
    if (!list) { return; }
    var items = measure === "equity"
      ? [["slower", el.dataset.slower], ["faster", el.dataset.faster], ["no_evidence", el.dataset.none]].map(function (v) { return [VERDICT_COLOURS[v[0]], v[1]]; })
      : [["< 50%", STEPS[0][1]], ["50-70%", STEPS[1][1]], ["70-80%", STEPS[2][1]], ["80-90%", STEPS[3][1]], ["≥ 90%", STEPS[4][1]]].map(function (v) { return [v[1], v[0]]; });
    items.push([NO_DATA, el.dataset.noData]);
    list.textContent = "";
    items.forEach(function (item) {  // built with the DOM: no inline style attribute (CSP)
      var entry = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = item[0];
      entry.appendChild(swatch);
      entry.appendChild(document.createTextNode(item[1] == null ? "" : String(item[1])));
      list.appendChild(entry);
    });
  }

  function choropleth() {
    var el = document.getElementById("rate-map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25 }).setView([0, 0], 2);
    el.leafletMap = map;
    var url = document.body.dataset.tileUrl;
    if (url) {
      L.tileLayer(url, { maxZoom: 19, attribution: document.body.dataset.tileAttribution || "" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    var select = document.getElementById("f-measure");
    var verdicts = null;
    var layer = null;
    function style(feature) {
      var measure = select.value;
      var fill = measure === "equity"
        ? VERDICT_COLOURS[(verdicts || {})[String(feature.properties.id)]] || NO_DATA
        : colourOf(feature.properties.rates[measure], measure === "reopen");
      return { color: "#333", weight: 1, fillColor: fill, fillOpacity: 0.75 };
    }
    function label(feature) {
      var p = feature.properties;
      var measure = select.value;
      var text = "<strong>" + escapeHtml(p.name) + "</strong>";
      if (measure !== "equity") {
        var value = p.rates[measure];
        text += "<br>" + (value === null ? escapeHtml(el.dataset.noData) : Math.round(value * 100) + "%") + " (n = " + p.n[measure] + ")";
      }
      return text + (p.grade ? "<br>" + escapeHtml(p.grade) : "");
    }
    function redraw() {
      if (!layer) { return; }
      layer.setStyle(style);
      layer.eachLayer(function (l) { l.setTooltipContent(label(l.feature)); });
      legend(el, select.value);
    }
    fetch(el.dataset.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      layer = L.geoJSON(data, { style: style, onEachFeature: function (f, l) { l.bindTooltip(label(f)); } }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { padding: [12, 12] }); }
      el.dataset.ready = "1";
      redraw();
    });
    select.addEventListener("change", function () {
      if (select.value === "equity" && verdicts === null) {
        fetch(el.dataset.equity, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
          verdicts = {};
          (data.groups || []).forEach(function (g) { verdicts[g.unit.key] = g.verdict; });
          redraw();
        });
      } else {
        redraw();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { chart(); choropleth(); });
})();
