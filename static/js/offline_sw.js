/* The service worker (served as /sw.js, scope /, after its CONFIG). It keeps the app's shell
   (the offline page in both languages, stylesheets, scripts, vendored files: their URLs carry
   their content's digest) and the facilities' snapshot. Pages are fetched from the network as
   always; when that fails, or takes longer than a weak signal allows, the offline page is
   answered instead and lists the nearest places from the snapshot. Map tiles are never kept
   (their licence and size); nothing under /admin or /api (but the snapshot) is touched. */
/* global CONFIG */
"use strict";
var SNAPSHOT_KEY = "/api/snapshot";
var LANG_KEY = "/__offline/lang";
var PAGE_TIMEOUT_MS = 8000;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CONFIG.shell).then(function (cache) {
    // Without credentials: a kept page must not set the language cookie (its ?lang= would).
    return cache.addAll(CONFIG.urls.map(function (url) {
      return new Request(url, {credentials: "omit"});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("locator-shell-") === 0 && name !== CONFIG.shell;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

/* The box a large deployment answers for: 3×3 grid cells (the server's size) around the
   position, snapped to the grid so that it says little about where the visitor is. */
function boxUrl(snapshot, cell, position) {
  var south = (Math.floor(position.lat / cell) - 1) * cell;
  var west = (Math.floor(position.lon / cell) - 1) * cell;
  return snapshot + "?bbox=" + [west, south, west + 3 * cell, south + 3 * cell].map(
    function (v) { return v.toFixed(2); }).join(",");
}

/* The snapshot, revalidated (a 304 when nothing changed); where the whole one is too large
   (400 with Locator-Snapshot-Cell), the box around the position; else nothing is kept. */
function freshSnapshot(message) {
  var get = function (url) { return fetch(url, {cache: "no-cache", credentials: "omit"}); };
  return get(message.snapshot).then(function (response) {
    var cell = parseFloat(response.headers.get("Locator-Snapshot-Cell"));
    if (response.status === 400 && cell > 0 && message.position) {
      return get(boxUrl(message.snapshot, cell, message.position));
    }
    return response;
  });
}

/* A page's visit: remember its language, refresh the snapshot. */
self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type !== "visit" || !message.snapshot) { return; }
  event.waitUntil(caches.open(CONFIG.data).then(function (cache) {
    var saved = cache.put(LANG_KEY, new Response(known(message.lang)));
    var fresh = freshSnapshot(message).then(function (response) {
      if (response.ok) { return cache.put(SNAPSHOT_KEY, response); }
    }).catch(function () { /* offline or weak: keep what we have */ });
    return Promise.all([saved, fresh]);
  }));
});

function isOfflinePage(path) {
  return CONFIG.pages.some(function (page) {
    return page.slice(-1) === "/" && page !== "/" ? path.indexOf(page) === 0 : path === page;
  }) || path === "/offline";
}

/* One of the offline page's languages (zh, zh-Hant, en), else Chinese. */
function known(lang) {
  return CONFIG.offline.hasOwnProperty(lang) ? lang : "zh";
}

function language(url) {
  var asked = url.searchParams.get("lang");
  if (CONFIG.offline.hasOwnProperty(asked)) { return Promise.resolve(asked); }
  return caches.open(CONFIG.data).then(function (cache) {
    return cache.match(LANG_KEY);
  }).then(function (saved) { return saved ? saved.text() : "zh"; });
}

function offlinePage(url) {
  return language(url).then(function (lang) {
    return caches.match(CONFIG.offline[known(lang)]);
  }).then(function (page) {
    return page || Response.error();
  });
}

/* The network, unless it fails or is slower than PAGE_TIMEOUT_MS: then the offline page. */
function page(request, url) {
  return new Promise(function (resolve) {
    var done = false;
    function fallBack() {
      if (done) { return; }
      done = true;
      resolve(offlinePage(url));
    }
    var timer = setTimeout(fallBack, PAGE_TIMEOUT_MS);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      if (!done) { done = true; resolve(response); }
    }, function () {
      clearTimeout(timer);
      fallBack();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    if (isOfflinePage(url.pathname)) { event.respondWith(page(request, url)); }
    return;
  }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/styles/") === 0) {
    event.respondWith(caches.match(request).then(function (kept) {
      return kept || fetch(request);
    }));
  }
});
