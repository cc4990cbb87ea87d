// civicgrid's maps and keyboard helpers. Pages work without this file; it only adds to them.
(function () {
  "use strict";
  var COLOURS = { breached: "#a4161a", due_soon: "#b77400", on_time: "#1e6b30", none: "#4a5360", done: "#4a5360" };

  function tiles(map) {
    var url = document.body.dataset.tileUrl;
    if (url) {
      L.tileLayer(url, { maxZoom: 19, attribution: document.body.dataset.tileAttribution || "" }).addTo(map);
    } else {
      map.getContainer().classList.add("no-tiles");
    }
  }

  function getJSON(url, done) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { done(data); } });
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function pointLayer(data) {
    return L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var colour = COLOURS[feature.properties.state] || COLOURS.none;
        return L.circleMarker(latlng, { radius: 7, color: "#000", weight: 1, fillColor: colour, fillOpacity: 0.9 });
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        var html = p.url ? '<a href="' + escapeHtml(p.url) + '">' + escapeHtml(p.label) + "</a>" : escapeHtml(p.label);
        layer.bindPopup(html + (p.detail ? "<br>" + escapeHtml(p.detail) : ""));
      }
    });
  }

  function picker(map, el) {
    var form = el.closest("form");
    var lat = form && form.querySelector("[name=lat]");
    var lon = form && form.querySelector("[name=lon]");
    if (!lat || !lon) { return; }
    var marker = null;
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng, { keyboard: false }).addTo(map); }
    }
    if (lat.value && lon.value) { place([parseFloat(lat.value), parseFloat(lon.value)]); }
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      place(e.latlng);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function initMap(el) {
    if (el.dataset.ready) { return; }
    el.dataset.ready = "1";
    var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25 }).setView([0, 0], 2);
    el.leafletMap = map;
    tiles(map);
    var here = null;
    var seen = L.latLngBounds([]);
    // Every layer that arrives widens the view, unless the map shows one place.
    function widen(layer) {
      if (here) { return; }
      var bounds = layer.getBounds();
      if (!bounds.isValid()) { return; }
      seen.extend(bounds);
      map.fitBounds(seen, { padding: [16, 16], maxZoom: 15 });
    }
    if (el.dataset.lat && el.dataset.lon) {
      here = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
      L.circleMarker(here, { radius: 9, color: "#000", weight: 2, fillColor: "#0b5394", fillOpacity: 0.9 }).addTo(map);
      map.setView(here, 15);
    }
    if (el.dataset.areas === "true") {
      getJSON("/map/areas.geojson", function (data) {
        var layer = L.geoJSON(data, { style: { color: "#0b5394", weight: 1.5, fillOpacity: 0.05 },
          onEachFeature: function (f, l) { l.bindTooltip(escapeHtml(f.properties.name)); } }).addTo(map);
        layer.bringToBack();
        widen(layer);
      });
    }
    if (el.dataset.points) {
      getJSON(el.dataset.points, function (data) { widen(pointLayer(data).addTo(map)); });
    }
    if (el.dataset.pick === "true") { picker(map, el); }
  }

  function initAll(root) {
    if (typeof L === "undefined") { return; }
    (root || document).querySelectorAll("[data-map]").forEach(initMap);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { initAll(e.target); });

  // Ctrl+Enter (or Cmd+Enter) sends a form marked data-ctrl-enter: the operator never leaves the keyboard.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      var form = e.target.closest && e.target.closest("form[data-ctrl-enter]");
      if (form) { e.preventDefault(); form.requestSubmit(); }
    }
  });

  // "Go back" links (data-back): back in the history when there is one, else to their href.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-back]");
    if (link && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });

  // "Select all" boxes of bulk actions.
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-select-all]")) {
      document.querySelectorAll(e.target.dataset.selectAll).forEach(function (box) { box.checked = e.target.checked; });
    }
  });
})();
