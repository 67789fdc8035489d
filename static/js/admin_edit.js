/* The one-record editor, enhanced: only the chosen category's amenities, the opening hours
   read back as they are typed, and a map whose pin fills in the coordinates. Without this
   script the form shows every amenity group and the server checks the hours on save. */
(function () {
  "use strict";
  var DEBOUNCE_MS = 350;

  // -- amenities: the chosen category's groups only; hidden boxes are disabled so that they
  //    are not sent (and come back ticked if the category is switched back).
  var category = document.getElementById("field-category");
  function showAmenities() {
    var groups = document.querySelectorAll(".amenity-group[data-categories]");
    Array.prototype.forEach.call(groups, function (group) {
      var offered = group.getAttribute("data-categories").split(" ");
      var shown = offered.indexOf(category.value) !== -1;
      group.hidden = !shown;
      Array.prototype.forEach.call(group.querySelectorAll("input"), function (box) {
        box.disabled = !shown;
      });
    });
  }
  if (category) {
    category.addEventListener("change", showAmenities);
    showAmenities();
  }

  // -- opening hours: ask the console what the text means after each pause in typing.
  var hours = document.getElementById("field-opening_hours");
  var reading = document.getElementById("hours-reading");
  if (hours && reading && window.fetch) {
    var timer = null;
    var asked = 0;
    var show = function (answer, number) {
      if (number !== asked) { return; }  // a later question is under way: its answer counts
      reading.classList.toggle("field-error", !answer.ok);
      if (!answer.ok) {
        reading.textContent = answer.error;
      } else if (answer.converted) {
        reading.textContent = reading.getAttribute("data-stored-as")
          .replace("%(osm)s", answer.stored) + " · " + answer.words;
      } else {
        reading.textContent = answer.words;
      }
    };
    var ask = function () {
      var number = ++asked;
      var url = hours.getAttribute("data-reading") + "?text=" + encodeURIComponent(hours.value);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) { if (answer) { show(answer, number); } })
        .catch(function () { /* offline or signed out: the save still checks the hours */ });
    };
    hours.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DEBOUNCE_MS);
    });
  }

  // -- the map: the pin is drawn on the base map's datum; placing it fills lat/lon in that
  //    datum and says so in coord_system (and coord_source says "map"); the server stores WGS-84.
  var box = document.getElementById("edit-map");
  var source = document.getElementById("edit-map-data");
  if (!box || !source || !window.L) { return; }
  var data = JSON.parse(source.textContent);
  var lat = document.querySelector('input[name="lat"]');
  var lon = document.querySelector('input[name="lon"]');
  var system = document.getElementById("field-coord_system");
  var origin = document.getElementById("field-coord_source");
  var map = L.map(box, { scrollWheelZoom: false, attributionControl: false });
  data.tiles.urls.forEach(function (url) {
    L.tileLayer(url, { subdomains: data.tiles.subdomains, maxZoom: data.tiles.max_zoom }).addTo(map);
  });
  var icon = L.divIcon({ className: "edit-pin", iconSize: [22, 22], iconAnchor: [11, 11] });
  var pin = L.marker(data.point, { draggable: true, icon: icon, keyboard: true,
                                   title: box.getAttribute("data-pin-title") || "" }).addTo(map);
  map.setView(data.point, 17);

  function fill(position) {
    lat.value = position.lat.toFixed(6);
    lon.value = position.lng.toFixed(6);
    system.value = data.datum;
    if (origin) { origin.value = "map"; }  // picked on a map, no longer surveyed or geocoded
  }
  pin.on("dragend", function () { fill(pin.getLatLng()); });
  map.on("click", function (event) { pin.setLatLng(event.latlng); fill(event.latlng); });
  // Typed coordinates move the pin when they are in the map's own datum.
  function follow() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (system.value === data.datum && isFinite(a) && isFinite(b)) {
      pin.setLatLng([a, b]);
      map.panTo([a, b]);
    }
  }
  [lat, lon, system].forEach(function (field) { field.addEventListener("input", follow); });
})();
