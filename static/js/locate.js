/* "Use my location": ask the browser once, then open /nearest at that WGS-84 point.
   Refused, unavailable or slow → say so (texts come from the page, in its language) and
   hand over to the place search. A refusal is remembered for this tab's session (a flag,
   never a position), so the same failing button is not offered again: the page says how to
   turn location back on for this browser and offers the search. Without this script every
   link and form still works. map.js uses window.LocatorLocate for its locate-me button. */
(function () {
  "use strict";
  var status = document.getElementById("locate-status");
  if (!status) { return; }
  var help = document.getElementById("locate-help");
  var search = document.getElementById("search");
  var select = document.getElementById("category");
  var query = document.getElementById("q");
  var SLOW_MS = 10000;
  var REFUSED = "locator-location-refused";

  function refused() {
    try { return window.sessionStorage.getItem(REFUSED) === "1"; } catch (e) { return false; }
  }

  function remember(isRefused) {
    try {
      if (isRefused) {
        window.sessionStorage.setItem(REFUSED, "1");
      } else {
        window.sessionStorage.removeItem(REFUSED);
      }
    } catch (e) { /* storage off (private mode): the page just forgets */ }
  }

  // Which instructions fit: WeChat's browser first (its UA also says iPhone or Android).
  function browserKind() {
    var ua = navigator.userAgent;
    if (/MicroMessenger/i.test(ua)) { return "wechat"; }
    if (/iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1)) {
      return "ios";  // iPadOS asks for desktop pages but has a touch screen
    }
    return /Android/i.test(ua) ? "android" : "desktop";
  }

  function say(key) {
    status.textContent = status.dataset[key] || "";
    status.hidden = false;
  }

  function showHelp(open) {
    if (!help) { return; }
    var kind = browserKind();
    help.querySelectorAll("[data-browser]").forEach(function (p) {
      p.hidden = p.dataset.browser !== kind;
    });
    help.hidden = false;
    help.open = open;
  }

  function buttons(shown) {
    // Buttons and map.js's control, never the category links (they still open the lists).
    document.querySelectorAll("[data-locate]:not(a)").forEach(function (el) {
      el.hidden = !shown;
    });
  }

  function offerSearch(category, focus) {
    if (select && category) { select.value = category; }
    if (search) {
      search.hidden = false;
      search.classList.add("search-now");
    }
    if (query && focus) { query.focus(); }
  }

  function fallBack(key, category) {
    say(key);
    if (key === "denied") {
      remember(true);
      buttons(false);
      showHelp(true);
    }
    offerSearch(category, true);
  }

  // Refused earlier in this session (or blocked, as the Permissions API says): no button,
  // the search and a closed "how to turn it back on".
  function showRefused() {
    say("denied");
    buttons(false);
    showHelp(false);
    offerSearch("", false);
  }

  // Allowed again (in the browser's settings): offer the button again.
  function showAllowed() {
    remember(false);
    status.hidden = true;
    if (help) { help.hidden = true; }
    buttons(true);
  }

  function go(position, category) {
    var params = new URLSearchParams();
    params.set("lat", position.coords.latitude.toFixed(6));
    params.set("lon", position.coords.longitude.toFixed(6));
    if (category) { params.set("category", category); }
    window.location.assign(status.dataset.target + "?" + params.toString());
  }

  // Ask for the position once; `found` gets it (WGS-84), a failure falls back to the search.
  function locate(category, found) {
    if (!navigator.geolocation) { fallBack("unsupported", category); return; }
    say("finding");
    var answered = false;
    var slow = window.setTimeout(function () {
      if (!answered) { fallBack("slow", category); }
    }, SLOW_MS);
    navigator.geolocation.getCurrentPosition(function (position) {
      answered = true;
      window.clearTimeout(slow);
      remember(false);
      status.hidden = true;
      found(position);
    }, function (error) {
      answered = true;
      window.clearTimeout(slow);
      var key = error.code === 1 ? "denied" : (error.code === 3 ? "timeout" : "unavailable");
      fallBack(key, category);
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  }

  function watchPermission() {
    if (!navigator.permissions || !navigator.permissions.query) { return; }
    navigator.permissions.query({name: "geolocation"}).then(function (permission) {
      function check() {
        if (permission.state === "denied" && !refused()) {
          remember(true);
          showRefused();
        } else if (permission.state === "granted" && refused()) {
          showAllowed();
        }
      }
      check();
      permission.onchange = check;
    }).catch(function () { /* not queryable here (older WebViews): rely on the refusal */ });
  }

  document.querySelectorAll("[data-locate]").forEach(function (el) {
    el.hidden = el.tagName !== "A" && refused();
    el.addEventListener("click", function (event) {
      if (refused()) { return; }  // the link opens the list page, which offers the search
      event.preventDefault();
      var category = el.dataset.category || (select ? select.value : "");
      locate(category, function (position) { go(position, category); });
    });
  });
  var retry = document.querySelector("[data-locate-retry]");
  if (retry) {
    retry.addEventListener("click", function () {
      remember(false);
      buttons(true);
      locate(select ? select.value : "", function (position) {
        if (window.LocatorLocate.onRetry) {
          window.LocatorLocate.onRetry(position);
        } else {
          go(position, select ? select.value : "");
        }
      });
    });
  }
  if (refused()) { showRefused(); }
  watchPermission();

  window.LocatorLocate = {refused: refused, locate: locate, onRetry: null};
}());
