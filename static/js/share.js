/* The share button: the phone's share sheet (Web Share API) where there is one, else the
   link is copied, else shown selected to copy by hand. Without this script it is a plain link
   to the page. The link carries the page's own parameters, never its language (the one who
   opens it reads it in theirs). */
(function () {
  "use strict";
  var link = document.querySelector("[data-share]");
  var status = document.getElementById("share-status");
  if (!link || !status) { return; }

  function say(text) {
    status.textContent = text;
    status.hidden = false;
  }

  // Last resort (no clipboard, or it was refused): the link in a field, selected.
  function showField(url) {
    say(link.dataset.copyHere);
    var field = document.createElement("input");
    field.type = "url";
    field.readOnly = true;
    field.value = url;
    field.className = "share-field";
    field.setAttribute("aria-label", link.dataset.copyHere);
    status.appendChild(field);
    field.focus();
    field.select();
  }

  function copy(url) {
    if (!navigator.clipboard || !window.isSecureContext) { showField(url); return; }
    navigator.clipboard.writeText(url).then(function () {
      say(link.dataset.copied);
    }, function () { showField(url); });
  }

  link.addEventListener("click", function (event) {
    event.preventDefault();
    var url = new URL(link.getAttribute("href"), window.location.href).href;
    var shared = {title: document.title, url: url};
    if (navigator.share && (!navigator.canShare || navigator.canShare(shared))) {
      navigator.share(shared).catch(function (error) {
        // Cancelled by the visitor: nothing to say. Not allowed here: copy instead.
        if (error && error.name !== "AbortError") { copy(shared.url); }
      });
      return;
    }
    copy(shared.url);
  });
}());
