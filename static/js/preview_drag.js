/* Drag to correct, on the preview map: each new or geocoded point (the page JSON's "drag"
   list) is a draggable marker on the map that admin_map.js makes (also moved with the arrow
   keys once focused). A moved point becomes a hidden moved[<id>] field of the confirm form,
   "lat,lon" in the map's own datum (the form's moved_datum; the server converts it to WGS-84
   with core/geo), a dashed line from where it was, and a line under the map with a button to
   put it back. Labels go in as text, never HTML. Without this script the confirm applies the
   file as previewed. */
(function () {
  "use strict";
  var source = document.getElementById("preview-map-data");
  var form = document.querySelector("form.confirm");
  var list = document.getElementById("moved-list");
  if (!source || !form || !list || !window.L) { return; }
  var points = JSON.parse(source.textContent).drag || [];
  if (!points.length) { return; }
  var box = document.getElementById("moved-box");
  var KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

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

  /* One draggable point: its marker, and once moved its field, line and list entry. */
  function Pin(map, point) {
    var pin = this;
    this.map = map;
    this.point = point;
    this.start = L.latLng(point.lat, point.lon);
    this.marker = L.marker(this.start, {
      draggable: true, title: point.label, autoPan: true,
      icon: L.divIcon({ className: point.approximate ? "drag-pin drag-pin-approx" : "drag-pin",
                        html: point.approximate ? "≈" : "", iconSize: [20, 20] })
    }).bindTooltip(text(point.label + " · " + point.note));
    this.marker.on("dragend", function () { pin.moved(); });
    this.marker.on("add", function () {  // its element exists once the map has a view
      L.DomEvent.on(pin.marker.getElement(), "keydown", pin.key, pin);
    });
    this.marker.addTo(map);
  }

  Pin.prototype.key = function (event) {
    var step = KEYS[event.key];
    if (!step) { return; }
    L.DomEvent.stop(event);  // move the pin, not the map
    var size = event.shiftKey ? 20 : 2;
    var at = this.map.latLngToContainerPoint(this.marker.getLatLng());
    this.marker.setLatLng(this.map.containerPointToLatLng(
      at.add(L.point(step[0] * size, step[1] * size))));
    this.moved();
  };

  Pin.prototype.moved = function () {
    var at = this.marker.getLatLng();
    if (!this.field) {
      this.field = form.appendChild(document.createElement("input"));
      this.field.type = "hidden";
      this.field.name = "moved[" + this.point.id + "]";
      this.line = L.polyline([this.start, at], { color: "#111", weight: 2, dashArray: "4 4",
                                                 interactive: false }).addTo(this.map);
      this.item = list.appendChild(document.createElement("li"));
      this.item.appendChild(document.createElement("span"));
      var back = this.item.appendChild(document.createElement("button"));
      back.type = "button";
      back.className = "btn btn-quiet btn-small";
      back.textContent = list.dataset.back;
      L.DomEvent.on(back, "click", this.putBack, this);
      L.DomUtil.addClass(this.marker.getElement(), "drag-pin-moved");
    }
    this.field.value = at.lat.toFixed(7) + "," + at.lng.toFixed(7);
    this.line.setLatLngs([this.start, at]);
    this.item.firstChild.textContent = filled(list.dataset.item, this.point.label,
                                              Math.round(this.start.distanceTo(at))) + " ";
    box.hidden = false;
  };

  Pin.prototype.putBack = function () {
    this.marker.setLatLng(this.start);
    L.DomUtil.removeClass(this.marker.getElement(), "drag-pin-moved");
    this.field.remove();
    this.item.remove();
    this.map.removeLayer(this.line);
    this.field = this.item = this.line = null;
    box.hidden = !list.children.length;
  };

  function attach(map) {
    var where = L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; }));
    var fit = map.fitBounds;
    // admin_map.js fits the view to the points it draws: these too (they may be the only ones).
    map.fitBounds = function (bounds, options) {
      return fit.call(this, L.latLngBounds(bounds).extend(where), options);
    };
    points.forEach(function (p) { return new Pin(map, p); });
    document.getElementById("drag-legend").hidden = false;
  }

  // Runs when admin_map.js creates its map (this script is loaded first).
  L.Map.addInitHook(function () {
    if (this.getContainer().id === "preview-map") { attach(this); }
  });
})();
