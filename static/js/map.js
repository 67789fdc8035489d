/* Puts this page's data on the folium map shell (window.LocatorMap).
   Data arrives as JSON (a data island or a fetch); every name becomes DOM text, never HTML.
   Coordinates are already display positions (shifted by the server on GCJ-02 base maps). */
(function () {
  "use strict";
  var shell = window.LocatorMap;
  var island = document.getElementById("map-data");
  if (!shell || !island || !window.L) { return; }
  var data = JSON.parse(island.textContent);
  var map = shell.map;
  // Views are set without animation: an animated zoom would fetch the start view's tiles too.

  function textEl(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    el.textContent = text;
    return el;
  }

  function popup(name, url) {
    var box = document.createElement("div");
    box.appendChild(textEl("strong", "", name));
    if (url) {
      var link = textEl("a", "popup-link", data.labels.details);
      link.href = url;
      box.appendChild(document.createElement("br"));
      box.appendChild(link);
    }
    return box;
  }

  function showTiles() {
    shell.tiles.forEach(function (layer) { layer.addTo(map); });
  }

  // Leaflet's controls speak English; give them the page's words (the shell is per language,
  // but its controls are Leaflet's own).
  function addControls() {
    L.control.zoom({zoomInTitle: data.labels.zoom_in, zoomOutTitle: data.labels.zoom_out})
      .addTo(map);
    L.control.scale({imperial: false}).addTo(map);  // metres only: China is metric
    var toggle = map.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) {
      toggle.title = data.labels.layers;
      toggle.setAttribute("aria-label", data.labels.layers);
    }
  }

  function pinClass(open) {
    if (open === true) { return "pin pin-open"; }
    return open === false ? "pin pin-closed" : "pin pin-unknown";
  }

  function drawPoints() {
    var bounds = [];
    if (data.origin) {
      var here = [data.origin.lat, data.origin.lon];
      L.circleMarker(here, {radius: 9, color: "#ffffff", weight: 3, fillColor: "#1558b0",
        fillOpacity: 1}).bindTooltip(textEl("span", "", data.labels.origin)).addTo(map);
      bounds.push(here);
    }
    data.points.forEach(function (p) {
      var icon = L.divIcon({className: pinClass(p.open), iconSize: [30, 30], iconAnchor: [15, 15],
        html: textEl("span", "", p.n ? String(p.n) : "")});
      L.marker([p.lat, p.lon], {icon: icon, title: p.name, riseOnHover: true})
        .bindPopup(popup(p.name, p.url)).addTo(map);
      bounds.push([p.lat, p.lon]);
    });
    fitPoints(bounds);
    showTiles();
    setUpSwitch(function () { fitPoints(bounds); });
  }

  function fitPoints(bounds) {
    if (bounds.length > 1) {
      map.fitBounds(bounds, {padding: [28, 28], maxZoom: 17, animate: false});
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 16, {animate: false});
    }
  }

  // The list/map switch (phones): its links jump to #results / #map-view without this script;
  // with it they show one or the other near the top, and the address keeps the choice.
  function setUpSwitch(fit) {
    var layout = document.querySelector(".results-layout");
    var links = document.querySelectorAll(".view-switch [data-view]");
    if (!layout || !links.length) { return; }
    function show(view) {
      layout.classList.toggle("show-map", view === "map");
      links.forEach(function (link) {
        if (link.dataset.view === view) {
          link.setAttribute("aria-current", "true");
        } else {
          link.removeAttribute("aria-current");
        }
      });
      map.invalidateSize({animate: false});
      if (view === "map") { fit(); }
    }
    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(link.dataset.view);
        // The switch goes to the top, so the map it opened fills the screen below it.
        if (link.dataset.view === "map") { link.parentNode.parentNode.scrollIntoView(true); }
        var here = window.location.pathname + window.location.search;
        window.history.replaceState(null, "", here + (link.dataset.view === "map" ? "#map-view" : ""));
      });
    });
    if (window.location.hash === "#map-view") { show("map"); }
  }

  // Markers are made in small batches, each its own short task, then handed to the cluster in
  // one call (it chunks its own work, and re-sums its tree once per call, not once per batch),
  // so 10,000 places never freeze a phone's main thread.
  var BATCH = 250;

  function addLayer(key, rows, shown) {
    var group = shell.layers[key];
    if (shown.indexOf(key) < 0) { map.removeLayer(group); }
    var icon = L.divIcon({className: "dot " + data.classes[key], iconSize: [18, 18]});
    var markers = [];
    // One popup handler per layer, not one per marker: 10,000 bound popups cost a phone
    // tens of milliseconds and a garbage collection; the row is found when a marker is opened.
    group.on("click", function (event) {
      var row = event.layer.row;
      L.popup({offset: [0, -4]}).setLatLng(event.layer.getLatLng())
        .setContent(popup(row[3], data.facility_url + encodeURIComponent(row[2]))).openOn(map);
    });
    function step() {
      var end = Math.min(markers.length + BATCH, rows.length);
      while (markers.length < end) {
        var row = rows[markers.length];
        var m = L.marker([row[0], row[1]], {icon: icon, title: row[3]});
        m.row = row;
        markers.push(m);
      }
      if (markers.length < rows.length) {
        window.setTimeout(step, 0);
      } else {
        group.addLayers(markers, true);  // true: no "layeradd" event per marker
      }
    }
    step();
  }

  function drawOverview() {
    if (data.bounds) { map.fitBounds(data.bounds, {padding: [12, 12], animate: false}); }
    showTiles();
    fetch(data.url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (layers) {
      Object.keys(shell.layers).forEach(function (key) {
        addLayer(key, layers[key] || [], data.show);
      });
    }).catch(function () {
      var note = document.getElementById("map-error");
      if (note) { note.hidden = false; }
    });
  }

  addControls();
  if (data.url) { drawOverview(); } else { drawPoints(); }
}());
