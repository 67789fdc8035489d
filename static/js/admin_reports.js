/* The report queue's small maps: the stored position (blue) and the visitor's pin (orange),
   joined by a dashed line, from the JSON the page carries (points already in the base map's
   datum). Without this script each report still shows both positions as numbers. */
(function () {
  "use strict";
  var source = document.getElementById("report-map-data");
  if (!source || !window.L) { return; }
  var data = JSON.parse(source.textContent);
  var boxes = document.querySelectorAll(".report-map[data-report]");
  Array.prototype.forEach.call(boxes, function (box) {
    var points = data.maps[box.getAttribute("data-report")];
    if (!points) { return; }
    var map = L.map(box, { scrollWheelZoom: false, attributionControl: false });
    data.tiles.urls.forEach(function (url) {
      L.tileLayer(url, { subdomains: data.tiles.subdomains, maxZoom: data.tiles.max_zoom })
        .addTo(map);
    });
    var bounds = [];
    function dot(point, colour) {
      bounds.push(point);
      L.circleMarker(point, { radius: 7, color: colour, weight: 2, fillColor: colour,
                              fillOpacity: 0.8 }).addTo(map);
    }
    if (points.stored && points.reported) {
      L.polyline([points.stored, points.reported],
                 { color: "#b35900", weight: 2, dashArray: "4 4" }).addTo(map);
    }
    if (points.stored) { dot(points.stored, "#1f5fa8"); }
    if (points.reported) { dot(points.reported, "#b35900"); }
    if (bounds.length === 1) {
      map.setView(bounds[0], 17);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 18 });
    }
  });
})();
