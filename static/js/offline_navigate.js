/* Navigate links built in the browser, for the offline list: the same URLs as
   locator/core/navigate.py, character for character (tests/unit/test_offline_navigate.py runs
   both on the same points and names, so a change to one side fails until the other follows).
   One function, navigateLinks(lat, lon, name) → [{app, url}], most used in China first. */
(function (root) {
  "use strict";
  var BAIDU_SOURCE = "webapp.locator.xinhui";
  var MAX_NAME_CHARS = 100;

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

  function coord(value) { return fixed(value, 6); }

  function pair(first, second) { return coord(first) + "%2C" + coord(second); }

  /* Python's quote_plus: UTF-8, only A-Z a-z 0-9 _ . - ~ kept, space as "+". */
  function quotePlus(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    }).replace(/%20/g, "+");
  }

  /* The name cut to 100 characters (code points, as Python counts), then quoted. */
  function quotedName(name) {
    return quotePlus(Array.from(name || "").slice(0, MAX_NAME_CHARS).join(""));
  }

  function navigateLinks(lat, lon, name) {
    var quoted = quotedName(name);
    return [
      {app: "amap", url: "https://uri.amap.com/marker?position=" + pair(lon, lat) + "&name=" +
        quoted + "&coordinate=wgs84&callnative=1"},
      {app: "baidu", url: "https://api.map.baidu.com/marker?location=" + pair(lat, lon) +
        "&title=" + quoted + "&content=" + quoted + "&coord_type=wgs84&output=html&src=" +
        BAIDU_SOURCE},
      {app: "apple", url: "https://maps.apple.com/?daddr=" + pair(lat, lon) + "&dirflg=w"},
      {app: "geo", url: "geo:" + coord(lat) + "," + coord(lon)}
    ];
  }

  root.locatorNavigate = {navigateLinks: navigateLinks, fixed: fixed};
  if (typeof module === "object" && module.exports) { module.exports = root.locatorNavigate; }
}(typeof self !== "undefined" ? self : this));
