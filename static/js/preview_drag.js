/* Drag to correct, on the preview map: each new or geocoded point (the page JSON's "drag"
   list) is a draggable marker on the map that admin_map.js makes. A dragged point becomes a
   hidden moved[<id>] field of the confirm form, "lat,lon" in the map's own datum (the form's
   moved_datum; the server converts it to WGS-84 with core/geo), and a line under the map.
   Labels go in as text, never HTML. Without this script the confirm applies the file as is. */
(function () {
  "use strict";
  var source = document.getElementById("preview-map-data");
  var form = document.querySelector("form.confirm");
  var list = document.getElementById("moved-list");
  if (!source || !form || !list || !window.L) { return; }
  var points = JSON.parse(source.textContent).drag || [];
  if (!points.length) { return; }
  var fields = {};
  var items = {};

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function filled(template, label, metres) {
    // Functions as replacements: a "$&" in a facility's name stays as written.
    return template.replace("{metres}", function () { return String(metres); })
      .replace("{label}", function () { return label; });
  }

  function record(point, marker, start) {
    var at = marker.getLatLng();
    if (!fields[point.id]) {
      fields[point.id] = document.createElement("input");
      fields[point.id].type = "hidden";
      fields[point.id].name = "moved[" + point.id + "]";
      form.appendChild(fields[point.id]);
      items[point.id] = list.appendChild(document.createElement("li"));
      L.DomUtil.addClass(marker.getElement(), "drag-pin-moved");
    }
    fields[point.id].value = at.lat.toFixed(7) + "," + at.lng.toFixed(7);
    items[point.id].textContent = filled(list.dataset.item, point.label,
                                         Math.round(start.distanceTo(at)));
    document.getElementById("moved-box").hidden = false;
  }

  function attach(map) {
    var where = L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; }));
    var fit = map.fitBounds;
    // admin_map.js fits the view to the points it draws: these too (they may be the only ones).
    map.fitBounds = function (bounds, options) {
      return fit.call(this, L.latLngBounds(bounds).extend(where), options);
    };
    points.forEach(function (p) {
      var start = L.latLng(p.lat, p.lon);
      var marker = L.marker(start, {
        draggable: true, title: p.label, autoPan: true,
        icon: L.divIcon({ className: p.approximate ? "drag-pin drag-pin-approx" : "drag-pin",
                          html: p.approximate ? "≈" : "", iconSize: [20, 20] })
      }).bindTooltip(text(p.label + " · " + p.note)).addTo(map);
      marker.on("dragend", function () { record(p, marker, start); });
    });
    document.getElementById("drag-legend").hidden = false;
  }

  // Runs when admin_map.js creates its map (this script is loaded first).
  L.Map.addInitHook(function () {
    if (this.getContainer().id === "preview-map") { attach(this); }
  });
})();
