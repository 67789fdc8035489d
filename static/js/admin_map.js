/* The preview's small map: added (green), moved (orange, dashed from the old place) and
   removed (red) facilities, from the JSON the page carries. Labels go in as text, never HTML. */
(function () {
  "use strict";
  var box = document.getElementById("preview-map");
  var source = document.getElementById("preview-map-data");
  if (!box || !source || !window.L) { return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(box, { scrollWheelZoom: false, attributionControl: false });
  data.tiles.urls.forEach(function (url) {
    L.tileLayer(url, { subdomains: data.tiles.subdomains, maxZoom: data.tiles.max_zoom }).addTo(map);
  });
  var bounds = [];

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function dot(lat, lon, colour, text, hollow) {
    bounds.push([lat, lon]);
    return L.circleMarker([lat, lon], {
      radius: 7, color: colour, weight: 2, fillColor: colour, fillOpacity: hollow ? 0 : 0.8
    }).bindTooltip(label(text)).addTo(map);
  }

  data.added.forEach(function (p) { dot(p[0], p[1], "#0b6b2f", p[2]); });
  data.removed.forEach(function (p) { dot(p[0], p[1], "#9b1c1c", p[2]); });
  data.moved.forEach(function (p) {
    L.polyline([[p[0], p[1]], [p[2], p[3]]], { color: "#b35900", weight: 2, dashArray: "4 4" })
      .addTo(map);
    dot(p[0], p[1], "#b35900", p[4], true);
    dot(p[2], p[3], "#b35900", p[4]);
  });
  if (bounds.length === 1) {
    map.setView(bounds[0], 16);
  } else {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
  }
})();
