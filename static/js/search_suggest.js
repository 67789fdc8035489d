// As-you-type suggestions for the search box (#q): an ARIA 1.2 combobox with a listbox.
// Without JavaScript the form is complete on its own (GET /nearest?q=…); this only adds a
// list under the box from /api/search, after one Chinese character or two Latin ones.
// Visitor-supplied text is only ever set as textContent.
(function () {
  "use strict";
  var input = document.getElementById("q");
  if (!input || !window.fetch || !input.dataset.suggest) return;
  var data = input.dataset;
  var lang = document.documentElement.lang === "en" ? "en" : "zh";
  var list = document.createElement("ul");
  var status = document.createElement("p");
  var items = [], active = -1, timer = 0, pending = null, serial = 0;

  list.id = "q-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", data.suggestLabel || "");
  list.hidden = true;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.insertAdjacentElement("afterend", list);
  list.insertAdjacentElement("afterend", status);

  function enough(text) {
    // One Chinese character says a lot; one Latin letter says little.
    return /[\u3400-\u9fff]/.test(text) || text.length >= 2;
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function label(result) {
    var name = lang === "en" && result.name_en ? result.name_en : result.name;
    return name || result.name || "";
  }

  function detail(result) {
    var m = result.matched || {};
    var parts = [];
    if (result.type === "category") parts.push(data.suggestCategory || "");
    if (m.how === "alias" || m.how === "route") parts.push(m.text);
    if (typeof result.distance_m === "number") {
      parts.push(result.distance_m < 1000 ? result.distance_m + " m"
        : (result.distance_m / 1000).toFixed(1) + " km");
    }
    return parts.filter(Boolean).join(" · ");
  }

  function render(results) {
    items = results;
    list.textContent = "";
    results.forEach(function (result, n) {
      var li = document.createElement("li");
      var main = document.createElement("span");
      var more = document.createElement("span");
      li.id = "q-option-" + n;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      main.textContent = label(result);
      more.className = "suggestion-detail";
      more.textContent = detail(result);
      li.appendChild(main);
      if (more.textContent) li.appendChild(more);
      li.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the box until we leave the page
        go(result);
      });
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    status.textContent = results.length
      ? (data.suggestCount || "{n}").replace("{n}", results.length) : (data.suggestNone || "");
    active = -1;
  }

  function highlight(n) {
    var options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (n + options.length) % options.length;
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  function go(result) {
    if (result.type === "facility") {
      window.location.href = data.facilityUrl.replace("__id__", encodeURIComponent(result.id));
    } else if (result.type === "category") {
      // The word itself: the server lists that kind near the district centre (the box is only
      // on pages that do not know the visitor's position).
      window.location.href = data.nearestUrl + "?q=" + encodeURIComponent(result.matched.text);
    } else {
      window.location.href = data.nearestUrl + "?lat=" + result.lat + "&lon=" + result.lon;
    }
  }

  function ask() {
    var text = input.value.trim();
    var mine = ++serial;
    if (pending) pending.abort();
    if (!enough(text)) { close(); return; }
    pending = window.AbortController ? new AbortController() : null;
    window.fetch(data.suggest + "?limit=6&q=" + encodeURIComponent(text),
                 pending ? { signal: pending.signal } : {})
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) { if (mine === serial) render(body.results || []); })
      .catch(function () { /* aborted or offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) { if (items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); } return; }
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      go(items[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 100); });
})();
