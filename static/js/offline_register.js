/* Offer the app offline: register the service worker (/sw.js, scope /) and, on each visit, ask
   it to keep the facilities' snapshot fresh. The position in this page's address (if any) goes
   to the worker on this phone only: on a deployment too large for one snapshot the worker asks
   for a coarse box around it (see offline_sw.js). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator)) { return; }

  function position() {
    var params = new URLSearchParams(window.location.search);
    var lat = parseFloat(params.get("lat"));
    var lon = parseFloat(params.get("lon"));
    return isFinite(lat) && isFinite(lon) ? {lat: lat, lon: lon} : null;
  }

  function register() {
    navigator.serviceWorker.register(script.dataset.worker, {scope: "/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      registration.active.postMessage({type: "visit", lang: script.dataset.lang,
                                       snapshot: script.dataset.snapshot,
                                       position: position()});
    }).catch(function () { /* no worker: the site works online as before */ });
  }

  /* After the page has loaded and gone idle: the worker's downloads and start-up must not
     compete with a heavy page (the 10,000-point map) for the network or the main thread. */
  window.addEventListener("load", function () {
    if (window.requestIdleCallback) {
      window.requestIdleCallback(register, {timeout: 10000});
    } else {
      window.setTimeout(register, 2000);
    }
  });
}());
