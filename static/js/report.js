/* The report and suggestion forms, enhanced: a pin to drag (drawn in the base map's datum,
   written into the form as WGS-84), only the chosen category's equipment, a note counter, and
   sending through the JSON API so that the visitor stays on the page. Without this script the
   forms post as plain HTML and the server answers with a page. Every message goes in as text,
   never HTML. */
(function () {
  "use strict";
  var root = document.querySelector("[data-feedback]");
  if (!root) { return; }
  var DECIMALS = 7;

  // -- datums: a port of locator/core/geo.py's GCJ-02 (the exact iterative inverse), because the
  //    API takes WGS-84 and AMap tiles draw in GCJ-02. A browser test checks it against Python.
  var A = 6378245.0, EE = 0.00669342162296594323;
  function outOfChina(lat, lon) {
    return !(lat >= 0.8293 && lat <= 55.8271 && lon >= 72.004 && lon <= 137.8347);
  }
  function offset(x, y) {
    var common = 20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI);
    var north = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    north += (common + 20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI) +
              160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    var east = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    east += (common + 20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI) +
             150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return [north, east];
  }
  function toGcj(lat, lon) {
    var m = offset(lon - 105, lat - 35);
    var rad = lat / 180 * Math.PI;
    var magic = 1 - EE * Math.sin(rad) * Math.sin(rad);
    var perLat = (A * (1 - EE) / Math.pow(magic, 1.5)) * Math.PI / 180;
    var perLon = (A * Math.cos(rad) / Math.sqrt(magic)) * Math.PI / 180;
    return [lat + m[0] / perLat, lon + m[1] / perLon];
  }
  function fromGcj(lat, lon) {
    var g = [lat, lon];
    for (var i = 0; i < 30; i++) {
      var f = toGcj(g[0], g[1]);
      var dLat = f[0] - lat, dLon = f[1] - lon;
      if (Math.max(Math.abs(dLat), Math.abs(dLon)) < 1e-10) { break; }
      g = [g[0] - dLat, g[1] - dLon];
    }
    return g;
  }
  function toDisplay(datum, lat, lon) {
    return datum === "gcj02" && !outOfChina(lat, lon) ? toGcj(lat, lon) : [lat, lon];
  }
  function toWgs84(datum, lat, lon) {
    return datum === "gcj02" && !outOfChina(lat, lon) ? fromGcj(lat, lon) : [lat, lon];
  }

  // -- the note's counter
  Array.prototype.forEach.call(root.querySelectorAll("textarea[data-counter]"), function (area) {
    var counter = document.getElementById(area.getAttribute("data-counter"));
    var template = counter.getAttribute("data-template");
    function count() { counter.textContent = template.replace("{count}", String(area.value.length)); }
    area.addEventListener("input", count);
  });

  // -- the equipment of the chosen category only; hidden boxes are disabled so they are not sent
  var category = root.querySelector("select[name=category]");
  function showAmenities() {
    Array.prototype.forEach.call(root.querySelectorAll(".amenity-group[data-categories]"), function (group) {
      var shown = group.getAttribute("data-categories").split(" ").indexOf(category.value) !== -1;
      group.hidden = !shown;
      Array.prototype.forEach.call(group.querySelectorAll("input"), function (box) { box.disabled = !shown; });
    });
  }
  if (category) {
    category.addEventListener("change", showAmenities);
    showAmenities();
  }

  // -- the pin: drawn in the tiles' datum; the lat/lon fields always hold WGS-84
  var pinBox = root.querySelector("[data-pin-map]");
  var source = document.getElementById("pin-map-data");
  var lat = root.querySelector("input[name=lat]");
  var lon = root.querySelector("input[name=lon]");
  var pin = null, map = null, data = source ? JSON.parse(source.textContent) : null;
  function fill(display) {
    var p = toWgs84(data.datum, display.lat, display.lng);
    lat.value = p[0].toFixed(DECIMALS);
    lon.value = p[1].toFixed(DECIMALS);
  }
  function place(wgsLat, wgsLon) {
    var d = toDisplay(data.datum, wgsLat, wgsLon);
    pin.setLatLng(d);
    map.panTo(d);
  }
  function startMap() {
    if (map || !pinBox || !data || !window.L || !lat || !lon) { return; }
    pinBox.hidden = false;
    var box = document.getElementById("pin-map");
    map = L.map(box, { scrollWheelZoom: false, attributionControl: false });
    data.tiles.urls.forEach(function (url) {
      L.tileLayer(url, { subdomains: data.tiles.subdomains, maxZoom: data.tiles.max_zoom }).addTo(map);
    });
    var icon = L.divIcon({ className: "report-pin", iconSize: [26, 26], iconAnchor: [13, 13] });
    pin = L.marker(data.point, { draggable: true, autoPan: true, keyboard: true, icon: icon,
                                 title: box.getAttribute("data-pin-title") || "" }).addTo(map);
    map.setView(data.point, 17);
    pin.on("dragend", function () { fill(pin.getLatLng()); });
    map.on("click", function (event) { pin.setLatLng(event.latlng); fill(event.latlng); });
    [lat, lon].forEach(function (field) {
      field.addEventListener("change", function () {
        var a = parseFloat(lat.value), b = parseFloat(lon.value);
        if (isFinite(a) && isFinite(b)) { place(a, b); }
      });
    });
  }
  var where = root.querySelector("#kind-wrong_location");
  if (where) {  // the report's map: drawn once "wrong position" is chosen (it needs a size)
    Array.prototype.forEach.call(root.querySelectorAll("input[name=kind]"), function (radio) {
      radio.addEventListener("change", function () { if (where.checked) { startMap(); } });
    });
    if (where.checked) { startMap(); }
  } else {
    startMap();
  }

  // -- "put the pin where I am": the phone's position (WGS-84), never sent until the form is
  var here = root.querySelector("[data-here]");
  var hereStatus = root.querySelector("[data-here-status]");
  if (here && map && navigator.geolocation) {
    here.hidden = false;
    here.addEventListener("click", function () {
      hereStatus.textContent = here.getAttribute("data-finding");
      navigator.geolocation.getCurrentPosition(function (position) {
        hereStatus.textContent = "";
        lat.value = position.coords.latitude.toFixed(DECIMALS);
        lon.value = position.coords.longitude.toFixed(DECIMALS);
        place(position.coords.latitude, position.coords.longitude);
      }, function () {
        hereStatus.textContent = here.getAttribute("data-failed");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // -- sending through the JSON API
  var api = root.getAttribute("data-api");
  var notice = root.querySelector(".form-errors");
  var sent = root.querySelector("[data-sent]");
  var status = root.querySelector("[data-say]");

  function value(form, name) {
    var field = form.elements[name];
    return field && !field.disabled ? String(field.value) : "";
  }
  function ticked(form) {
    return Array.prototype.filter.call(form.querySelectorAll("input[name=amenities]"), function (box) {
      return box.checked && !box.disabled;
    }).map(function (box) { return box.value; });
  }
  function number(text) {
    var n = Number(text);
    return text.trim() !== "" && isFinite(n) ? n : text;
  }
  /* The same fields the server reads from the plain form (public/feedback.py). */
  function payload(form) {
    var out = {};
    if (form.classList.contains("suggest-form")) {
      ["category", "name", "floor", "opening_hours", "note"].forEach(function (name) {
        if (value(form, name).trim()) { out[name] = value(form, name); }
      });
      ["lat", "lon"].forEach(function (name) {
        if (value(form, name).trim()) { out[name] = number(value(form, name)); }
      });
      out.amenities = ticked(form);
      return out;
    }
    var checked = form.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : value(form, "kind");
    out.kind = kind;
    if (value(form, "note").trim()) { out.note = value(form, "note"); }
    if (kind === "missing_equipment") { out.amenities = ticked(form); }
    if (kind === "wrong_location") { out.lat = number(value(form, "lat")); out.lon = number(value(form, "lon")); }
    if (kind === "wrong_hours" && value(form, "opening_hours").trim()) {
      out.opening_hours = value(form, "opening_hours");
    }
    return out;
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(root.querySelectorAll(".field-error"), function (p) {
      p.textContent = ""; p.hidden = true;
    });
    Array.prototype.forEach.call(root.querySelectorAll("[aria-invalid]"), function (field) {
      field.removeAttribute("aria-invalid");
    });
    status.hidden = true;
    if (notice) {
      notice.hidden = true;
      var list = notice.querySelector("ul");
      if (list) { list.parentNode.removeChild(list); }
    }
  }
  function say(lines) {
    if (!notice || !lines.length) { return; }
    var list = notice.querySelector("ul") || notice.appendChild(document.createElement("ul"));
    lines.forEach(function (line) { list.appendChild(document.createElement("li")).textContent = line; });
  }
  function tell(text) {
    status.textContent = text;
    status.hidden = false;
  }
  function showFields(fields) {
    var rest = [];
    Object.keys(fields).forEach(function (name) {
      var slot = name ? root.querySelector('.field-error[data-error-for="' + CSS.escape(name) + '"]') : null;
      if (!slot) { rest.push(fields[name]); return; }
      slot.textContent = fields[name];
      slot.hidden = false;
      var field = root.querySelector('[aria-describedby="' + CSS.escape(name) + '-error"]');
      if (field) { field.setAttribute("aria-invalid", "true"); }
    });
    if (notice) {
      notice.hidden = false;
      notice.scrollIntoView({ block: "center" });
    }
    say(rest);
  }
  function done() {
    Array.prototype.forEach.call(root.querySelectorAll("form"), function (f) { f.hidden = true; });
    if (notice) { notice.hidden = true; }
    status.hidden = true;
    sent.hidden = false;
    sent.focus();
  }

  Array.prototype.forEach.call(root.querySelectorAll("form[data-report-form]"), function (form) {
    form.addEventListener("submit", function (event) {
      // Robots that filled the honeypot, and browsers without fetch, send the plain form.
      if (!api || !window.fetch || !window.CSS || value(form, "website")) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      clearErrors(form);
      fetch(api, { method: "POST", credentials: "omit",
                   headers: { "Content-Type": "application/json", "Accept": "application/json" },
                   body: JSON.stringify(payload(form)) })
        .then(function (response) {
          if (response.status === 201) { done(); return; }
          if (response.status === 429) {
            var seconds = parseInt(response.headers.get("Retry-After"), 10) || 60;
            tell(root.getAttribute("data-wait").replace("{minutes}", String(Math.ceil(seconds / 60))));
            return;
          }
          return response.json().then(function (body) {
            if (response.status === 400 && body && body.error && body.error.fields) {
              showFields(body.error.fields);
            } else {
              form.submit();  // anything else: the plain form's page says what happened
            }
          });
        })
        .catch(function () { tell(root.getAttribute("data-failed")); })
        .then(function () { button.disabled = false; });
    });
  });
})();
