/* "Use my location": ask the browser once, then open /nearest at that WGS-84 point.
   Refused, unavailable or slow → say so (texts come from the page, in its language) and
   hand over to the place search. Without this script every link and form still works. */
(function () {
  "use strict";
  var status = document.getElementById("locate-status");
  if (!status) { return; }
  var search = document.getElementById("search");
  var select = document.getElementById("category");
  var query = document.getElementById("q");
  var SLOW_MS = 10000;

  function say(key) {
    status.textContent = status.dataset[key] || "";
    status.hidden = false;
  }

  function fallBack(key, category) {
    say(key);
    if (select && category) { select.value = category; }
    if (search) {
      search.hidden = false;
      search.classList.add("search-now");
    }
    if (query) { query.focus(); }
  }

  function go(position, category) {
    var params = new URLSearchParams();
    params.set("lat", position.coords.latitude.toFixed(6));
    params.set("lon", position.coords.longitude.toFixed(6));
    if (category) { params.set("category", category); }
    window.location.assign(status.dataset.target + "?" + params.toString());
  }

  function locate(category) {
    if (!navigator.geolocation) { fallBack("unsupported", category); return; }
    say("finding");
    var answered = false;
    var slow = window.setTimeout(function () {
      if (!answered) { fallBack("slow", category); }
    }, SLOW_MS);
    navigator.geolocation.getCurrentPosition(function (position) {
      answered = true;
      window.clearTimeout(slow);
      go(position, category);
    }, function (error) {
      answered = true;
      window.clearTimeout(slow);
      var key = error.code === 1 ? "denied" : (error.code === 3 ? "timeout" : "unavailable");
      fallBack(key, category);
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  }

  document.querySelectorAll("[data-locate]").forEach(function (el) {
    el.hidden = false;
    el.addEventListener("click", function (event) {
      event.preventDefault();
      locate(el.dataset.category || (select ? select.value : ""));
    });
  });
}());
