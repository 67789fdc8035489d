/* The offline page: the nearest places from the snapshot the service worker kept, in the
   order the server would give at this instant. Ranking: WGS-84 geodesic distance
   (GeographicLib, the method the server uses through PROJ), ties by id, the page's 5 km
   radius and 5 results, and the nearest one beyond when nothing is within it. Open or closed:
   the open stretches the server precomputed for 7 days (China's holidays included), so no
   opening hours are evaluated here. The position stays on the phone: it is never sent. */
(function () {
  "use strict";
  var island = document.getElementById("offline-data");
  if (!island || !window.geodesic || !window.locatorNavigate) { return; }
  var data = JSON.parse(island.textContent);
  var words = data.words;
  var status = document.getElementById("offline-status");
  var list = document.getElementById("offline-results");
  var locateButton = document.getElementById("offline-locate");
  var TRUE = ["1", "true", "yes", "on"];
  var labels = {};
  data.categories.forEach(function (pair) { labels[pair[0]] = pair[1]; });

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* Python's round() to a whole number: an exact half goes to the even neighbour. */
  function roundEven(x) {
    var down = Math.floor(x);
    if (x - down === 0.5) { return down % 2 === 0 ? down : down + 1; }
    return Math.round(x);
  }

  function distanceText(metres) {
    if (metres < 1000) { return fill(words.metres, {n: roundEven(metres)}); }
    var km = metres / 1000;
    return fill(words.km, {n: window.locatorNavigate.fixed(km, km < 10 ? 1 : 0)});
  }

  function within(spans, minute) {
    return (spans || []).some(function (s) { return s[0] <= minute && minute < s[1]; });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* When the state next changes, as the server's card says it ("closes 17:30", "opens Mon
     08:30"; web/hours_text.when), or "" when that lies beyond what the snapshot knows. */
  function nextChange(item, minute, open, snapshot) {
    var spans = open ? item.open : item.open.filter(function (s) { return s[0] > minute; });
    var at = null;
    if (open) {
      spans.forEach(function (s) { if (s[0] <= minute && minute < s[1]) { at = s[1]; } });
    } else if (spans.length) {
      at = spans[0][0];
    }
    var days = (Date.parse(snapshot.end) - Date.parse(snapshot.start)) / 86400000;
    if (at === null || at >= days * 1440) { return ""; }
    var ahead = Math.floor(at / 1440) - Math.floor(minute / 1440);
    var clock = pad(Math.floor(at % 1440 / 60)) + ":" + pad(at % 60);
    var when = clock;
    if (ahead === 1 && clock === "00:00") {
      when = "24:00";
    } else if (ahead >= 7) {
      return "";
    } else if (ahead > 0) {
      var monday = (new Date(snapshot.start.slice(0, 10) + "T00:00:00Z").getUTCDay() + 6) % 7;
      when = data.weekdays[(monday + Math.floor(at / 1440)) % 7] + " " + clock;
    }
    return fill(open ? words.closes : words.opens, {when: when});
  }

  /* true / false / null (unknown), as /api/nearest's open_now at this moment. */
  function openNow(item, minute, days) {
    if (item.open === null || minute < 0 || minute >= days * 1440) { return null; }
    if (within(item.unknown, minute)) { return null; }
    return within(item.open, minute);
  }

  function query() {
    var params = new URLSearchParams(window.location.search);
    var lat = parseFloat(params.get("lat"));
    var lon = parseFloat(params.get("lon"));
    var category = params.get("category") || "";
    var limit = parseInt(params.get("limit"), 10);
    return {
      limit: limit >= 1 && limit <= data.max_limit ? limit : data.limit,
      lat: lat, lon: lon, has: isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 &&
        Math.abs(lon) <= 180,
      category: Object.prototype.hasOwnProperty.call(labels, category) ? category : "",
      openOnly: TRUE.indexOf((params.get("open_now") || "").toLowerCase()) >= 0
    };
  }

  /* search/present.open_first: when the nearest is not open, the nearest open one leads and
     the nearer ones follow it (marked), all else in distance order. */
  function openFirst(hits) {
    var first = hits.findIndex(function (hit) { return hit.open === true; });
    if (first <= 0) { return hits; }
    hits.slice(0, first).forEach(function (hit) { hit.nearer = true; });
    hits[first].leads = true;
    return [hits[first]].concat(hits.slice(0, first), hits.slice(first + 1));
  }

  /* The page's ranking: [{item, d, open}], and whether they lie beyond the radius. */
  function rank(snapshot, q, now) {
    var geod = window.geodesic.Geodesic.WGS84;
    var minute = (now - Date.parse(snapshot.start)) / 60000;
    var days = (Date.parse(snapshot.end) - Date.parse(snapshot.start)) / 86400000;
    var found = [];
    snapshot.facilities.forEach(function (item) {
      if (q.category && item.category !== q.category) { return; }
      var open = openNow(item, minute, days);
      if (q.openOnly && open !== true) { return; }
      found.push({item: item, open: open, d: geod.Inverse(q.lat, q.lon, item.lat, item.lon).s12,
                  change: open === null ? "" : nextChange(item, minute, open, snapshot)});
    });
    found.sort(function (a, b) {
      return a.d - b.d || (a.item.id < b.item.id ? -1 : (a.item.id > b.item.id ? 1 : 0));
    });
    var near = found.filter(function (hit) { return hit.d <= data.radius_m; });
    var stale = minute < 0 || minute >= days * 1440;
    if (near.length) { return {hits: openFirst(near.slice(0, q.limit)), beyond: false, stale: stale}; }
    return {hits: found.slice(0, 1), beyond: found.length > 0, stale: stale};
  }

  function name(item) {
    return data.lang === "en" && item.name_en ? item.name_en : item.name;
  }

  /* The card's way there, as public/pages.travel says it: "walk", "far" or "outside". */
  function travel(hit, q) {
    var area = data.service_area;
    if (!(area[0] <= q.lat && q.lat <= area[2] && area[1] <= q.lon && q.lon <= area[3])) {
      return "outside";
    }
    return roundEven(hit.d) > data.walking_limit_m ? "far" : "walk";
  }

  /* Route links from the visitor's position, as the server's card has them: walking, or
     beyond walking distance by public transport with the car's beside them. */
  function navLinks(item, q, way) {
    var box = el("div", "nav");
    var origin = {lat: q.lat, lon: q.lon, name: words.my_location};
    var walking = way === "walk";
    var nav = window.locatorNavigate.navigateLinks(item.lat, item.lon, item.name, origin,
                                                    walking ? "walk" : "transit");
    function link(l, className, text) {
      var a = el("a", className, text);
      a.href = l.url;
      a.rel = "noopener noreferrer";
      return a;
    }
    box.appendChild(link(nav[0], "btn btn-nav",
                         fill(walking ? words.navigate : words.transit, {app: data.nav.amap})));
    function more(links, label) {
      var list = el("ul", "nav-more");
      list.setAttribute("aria-label", label);
      links.forEach(function (l) {
        var li = el("li");
        li.appendChild(link(l, "btn btn-small", data.nav[l.app]));
        list.appendChild(li);
      });
      box.appendChild(list);
      return list;
    }
    more(nav.slice(1), words.other_apps);
    if (!walking) {
      var car = window.locatorNavigate.navigateLinks(item.lat, item.lon, item.name, origin,
                                                      "car").slice(0, 3);
      more(car, words.by_car).classList.add("nav-car");
    }
    return box;
  }

  function card(hit, n, q) {
    var li = el("li", "card" + (n === 1 ? " card-first" : ""));
    li.dataset.id = hit.item.id;
    var article = el("article");
    article.setAttribute("aria-labelledby", "r" + n);
    var head = el("div", "card-head");
    var rankNo = el("span", "rank", String(n));
    rankNo.setAttribute("aria-hidden", "true");
    var title = el("h2", "", name(hit.item));
    title.id = "r" + n;
    head.append(rankNo, title);
    article.appendChild(head);
    if (n === 1 && hit.leads) {
      article.appendChild(el("p", "tag tag-open", words.nearest_open));
    } else if (n === 1) {
      article.appendChild(el("p", "tag tag-nearest", words.nearest));
    } else if (hit.nearer) {
      article.appendChild(el("p", "tag tag-nearer",
                             hit.open === null ? words.nearer_unknown : words.nearer_closed));
    }
    var dist = el("p", "dist");
    var way = travel(hit, q);
    dist.appendChild(el("strong", "", distanceText(hit.d)));
    if (way === "walk") {
      dist.append(" · " + fill(words.walk, {n: Math.max(1, Math.ceil(hit.d /
                  data.walking_m_per_min))}) + " ", el("span", "est", words.estimate));
    } else if (way === "far") {
      dist.append(" · " + words.far);
    } else {
      dist.append(" ", el("span", "est", words.straight));
    }
    article.appendChild(dist);
    var state = hit.open === true ? "open" : (hit.open === false ? "closed" : "unknown");
    var hours = el("p", "hours hours-" + state);
    hours.dataset.open = state;
    hours.appendChild(el("span", "badge", words[state]));
    if (hit.change) { hours.append(" ", el("span", "hours-detail", hit.change)); }
    article.appendChild(hours);
    if (hit.item.floor) {
      var facts = el("dl", "facts");
      var row = el("div");
      row.append(el("dt", "", words.floor), el("dd", "", hit.item.floor));
      facts.appendChild(row);
      article.appendChild(facts);
    }
    article.appendChild(navLinks(hit.item, q, way));
    li.appendChild(article);
    return li;
  }

  function chips(q) {
    var nav = document.getElementById("offline-chips");
    if (!nav) { return; }
    nav.textContent = "";
    data.categories.forEach(function (pair) {
      var key = pair[0];
      var params = new URLSearchParams({lat: String(q.lat), lon: String(q.lon), category: key});
      var a = el("a", "chip" + (key === q.category ? " chip-on" : ""), pair[1]);
      a.href = "/nearest?" + params.toString();
      if (key === q.category) { a.setAttribute("aria-current", "page"); }
      nav.appendChild(a);
    });
    nav.hidden = false;
  }

  function show(snapshot, q) {
    var result = rank(snapshot, q, Date.now());
    status.textContent = fill(words.data_from, {date: snapshot.generated_on}) +
      (result.stale ? " " + words.stale : "");
    document.getElementById("offline-title").textContent = q.category ?
      fill(words.near, {what: labels[q.category]}) : words.places;
    chips(q);
    list.textContent = "";
    if (!result.hits.length) {
      list.appendChild(el("li", "notice", words.none));
      return;
    }
    if (result.beyond) {
      var note = el("p", "notice notice-warn", fill(words.beyond, {
        km: data.radius_m / 1000, distance: distanceText(result.hits[0].d)}));
      list.parentNode.insertBefore(note, list);
    }
    result.hits.forEach(function (hit, i) { list.appendChild(card(hit, i + 1, q)); });
  }

  function keepLanguageLink() {
    document.querySelectorAll(".lang-switch[data-lang]").forEach(function (link) {
      var params = new URLSearchParams(window.location.search);
      params.set("lang", link.dataset.lang);
      link.href = window.location.pathname + "?" + params.toString();
    });
  }

  function locate(snapshot) {
    locateButton.hidden = false;
    locateButton.addEventListener("click", function () {
      status.textContent = words.finding;
      navigator.geolocation.getCurrentPosition(function (position) {
        var params = new URLSearchParams(window.location.search);
        params.set("lat", position.coords.latitude.toFixed(6));
        params.set("lon", position.coords.longitude.toFixed(6));
        window.history.replaceState(null, "", window.location.pathname + "?" + params);
        locateButton.hidden = true;
        keepLanguageLink();
        show(snapshot, query());
      }, function () { status.textContent = words.no_position; },
      {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  function kept() {
    var fromCache = window.caches ? window.caches.open(data.data_cache).then(function (cache) {
      return cache.match(data.snapshot);
    }) : Promise.resolve(undefined);
    return fromCache.then(function (response) {
      return response || window.fetch(data.snapshot);
    }).then(function (response) {
      if (!response || !response.ok) { throw new Error("no snapshot"); }
      return response.json();
    });
  }

  keepLanguageLink();
  kept().then(function (snapshot) {
    var q = query();
    if (q.has) { show(snapshot, q); } else { locate(snapshot); }
  }).catch(function () { status.textContent = words.no_data; });
}());
