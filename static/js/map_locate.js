/* The overview map's locate-me button (loaded on /map only, after map.js): centres the map
   on the phone's position, which stays in this page (it is never sent), drawn as the same blue
   dot as a list's origin. Asking, refusals and their help are locate.js's. */
(function () {
  "use strict";
  var shell = window.LocatorMap;
  var locator = window.LocatorLocate;
  var island = document.getElementById("map-data");
  if (!shell || !locator || !island || !window.L) { return; }
  var labels = JSON.parse(island.textContent).labels;
  var map = shell.map;

  // GCJ-02 (AMap tiles) from the phone's WGS-84: the public formula, as locator/core/geo.py.
  function toGcj02(lat, lon) {
    if (lat < 0.8293 || lat > 55.8271 || lon < 72.004 || lon > 137.8347) { return [lat, lon]; }
    var x = lon - 105, y = lat - 35, pi = Math.PI, ee = 0.00669342162296594323, a = 6378245;
    var common = 20 * Math.sin(6 * x * pi) + 20 * Math.sin(2 * x * pi);
    var north = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (common + 20 * Math.sin(y * pi) + 40 * Math.sin(y / 3 * pi) +
       160 * Math.sin(y / 12 * pi) + 320 * Math.sin(y * pi / 30)) * 2 / 3;
    var east = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (common + 20 * Math.sin(x * pi) + 40 * Math.sin(x / 3 * pi) +
       150 * Math.sin(x / 12 * pi) + 300 * Math.sin(x / 30 * pi)) * 2 / 3;
    var rad = lat * pi / 180, magic = 1 - ee * Math.sin(rad) * Math.sin(rad);
    var perLat = (a * (1 - ee) / Math.pow(magic, 1.5)) * pi / 180;
    var perLon = (a * Math.cos(rad) / Math.sqrt(magic)) * pi / 180;
    return [lat + north / perLat, lon + east / perLon];
  }

  // A Leaflet control beside the zoom buttons, hidden after a refusal in this visit.
  function addLocateControl() {
    var here = null;
    function showHere(position) {
      var lat = position.coords.latitude, lon = position.coords.longitude;
      var point = shell.gcj02 ? toGcj02(lat, lon) : [lat, lon];
      if (here) {
        here.setLatLng(point);
      } else {
        here = L.circleMarker(point, {radius: 9, color: "#ffffff", weight: 3, fillColor: "#1558b0",
          fillOpacity: 1}).bindTooltip(tooltip(labels.origin)).addTo(map);
      }
      shell.here = here;
      map.setView(point, Math.max(map.getZoom(), 15), {animate: false});
    }
    var Control = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        var bar = L.DomUtil.create("div", "leaflet-bar leaflet-control map-locate");
        var button = L.DomUtil.create("button", "", bar);
        button.type = "button";
        button.title = labels.locate;
        button.setAttribute("aria-label", labels.locate);
        button.appendChild(icon());
        bar.setAttribute("data-locate", "");
        bar.hidden = locator.refused();
        L.DomEvent.disableClickPropagation(bar);
        L.DomEvent.on(button, "click", function () { locator.locate("", showHere); });
        return bar;
      }
    });
    new Control().addTo(map);
    locator.onRetry = showHere;
  }

  function tooltip(text) {
    var el = document.createElement("span");
    el.textContent = text;
    return el;
  }

  function icon() {
    var el = document.createElement("span");
    el.setAttribute("aria-hidden", "true");
    el.textContent = "📍";
    return el;
  }

  addLocateControl();
}());
