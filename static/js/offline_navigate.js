/* Route links built in the browser, for the offline list: the same URLs as
   locator/core/navigate.py, character for character (tests/unit/test_offline_navigate.py runs
   both on the same points, names, origins and modes, so a change to one side fails until the
   other follows). One function, navigateLinks(lat, lon, name, origin, mode) → [{app, url}],
   most used in China first; origin is {lat, lon, name} or null, mode "walk" (default),
   "transit" or "car". */
(function (root) {
  "use strict";
  var BAIDU_SOURCE = "webapp.locator.xinhui";
  var AMAP_SOURCE = "locator.xinhui";
  var BAIDU_REGION = "江门";
  var MAX_NAME_CHARS = 100;
  var AMAP_MODE = {walk: "walk", transit: "bus", car: "car"};
  var BAIDU_MODE = {walk: "walking", transit: "transit", car: "driving"};
  var APPLE_MODE = {walk: "w", transit: "r", car: "d"};
  var KRASOVSKY_A = 6378245.0;
  var KRASOVSKY_EE = 0.00669342162296594323;

  /* Python's f"{x:.6f}": the exact binary value rounded, an exact tie to even
     (toFixed rounds a tie up, so ties are found in the exact expansion and mended). */
  function fixed(x, digits) {
    var text = (Object.is(x, -0) ? "-" : "") + x.toFixed(digits);  // Python keeps -0's sign
    var exact = Math.abs(x).toFixed(100);  // exact for every double of 2^-46 or more
    var cut = exact.indexOf(".") + 1 + digits;
    if (!/^50*$/.test(exact.slice(cut))) { return text; }
    var down = exact.slice(0, cut);
    var kept = down.replace(/\.$/, "");
    if ((kept.charCodeAt(kept.length - 1) - 48) % 2 === 1) {
      return text;  // a tie up from odd lands on even: as Python
    }
    return (x < 0 && /[1-9]/.test(kept) ? "-" : "") + kept;
  }

  /* core/geo.wgs84_to_gcj02, term for term (the same IEEE arithmetic in the same order). */
  function gcj02(lat, lon) {
    if (!(0.8293 <= lat && lat <= 55.8271 && 72.004 <= lon && lon <= 137.8347)) {
      return [lat, lon];
    }
    var x = lon - 105.0, y = lat - 35.0, pi = Math.PI, sin = Math.sin;
    var common = 20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi);
    var north = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y +
      0.2 * Math.sqrt(Math.abs(x));
    north += (common + 20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi) +
              160.0 * sin(y / 12.0 * pi) + 320.0 * sin(y * pi / 30.0)) * 2.0 / 3.0;
    var east = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    east += (common + 20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi) +
             150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0;
    var radLat = lat * (pi / 180.0);  // math.radians: one product with pi/180
    var magic = 1.0 - KRASOVSKY_EE * Math.pow(sin(radLat), 2);
    var perLat = KRASOVSKY_A * (1.0 - KRASOVSKY_EE) / Math.pow(magic, 1.5) * (pi / 180.0);
    var perLon = KRASOVSKY_A * Math.cos(radLat) / Math.sqrt(magic) * (pi / 180.0);
    return [lat + north / perLat, lon + east / perLon];
  }

  function coord(value) { return fixed(value, 6); }

  function pair(first, second) { return coord(first) + "%2C" + coord(second); }

  /* Python's quote_plus: UTF-8, only A-Z a-z 0-9 _ . - ~ kept, space as "+". */
  function quotePlus(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    }).replace(/%20/g, "+");
  }

  /* The first 100 characters (code points, as Python counts). */
  function cut(name) { return Array.from(name || "").slice(0, MAX_NAME_CHARS).join(""); }

  function quotedName(name) { return quotePlus(cut(name)); }

  function amapPoint(place) {
    var p = gcj02(place.lat, place.lon);
    return pair(p[1], p[0]) + "%2C" + quotedName(cut(place.name).replace(/,/g, "，"));
  }

  function baiduPoint(place) {
    return "latlng%3A" + pair(place.lat, place.lon) + "%7Cname%3A" +
      quotedName(cut(place.name).replace(/\|/g, "｜"));
  }

  function baiduUrl(to, origin, mode) {
    if (!origin) {
      var quoted = quotedName(to.name);
      return "https://api.map.baidu.com/marker?location=" + pair(to.lat, to.lon) + "&title=" +
        quoted + "&content=" + quoted + "&coord_type=wgs84&output=html&src=" + BAIDU_SOURCE;
    }
    return "https://api.map.baidu.com/direction?origin=" + baiduPoint(origin) +
      "&destination=" + baiduPoint(to) + "&mode=" + BAIDU_MODE[mode] + "&region=" +
      quotePlus(BAIDU_REGION) + "&coord_type=wgs84&output=html&src=" + BAIDU_SOURCE;
  }

  function navigateLinks(lat, lon, name, origin, mode) {
    mode = mode || "walk";
    var to = {lat: lat, lon: lon, name: name};
    return [
      {app: "amap", url: "https://uri.amap.com/navigation?" +
        (origin ? "from=" + amapPoint(origin) + "&" : "") + "to=" + amapPoint(to) +
        "&mode=" + AMAP_MODE[mode] + "&callnative=1&src=" + AMAP_SOURCE},
      {app: "baidu", url: baiduUrl(to, origin, mode)},
      {app: "apple", url: "https://maps.apple.com/?" +
        (origin ? "saddr=" + pair(origin.lat, origin.lon) + "&" : "") + "daddr=" +
        pair(lat, lon) + "&dirflg=" + APPLE_MODE[mode]},
      {app: "geo", url: "geo:" + coord(lat) + "," + coord(lon)}
    ];
  }

  root.locatorNavigate = {navigateLinks: navigateLinks, fixed: fixed};
  if (typeof module === "object" && module.exports) { module.exports = root.locatorNavigate; }
}(typeof self !== "undefined" ? self : this));
