// The thread's read marker: opening the newest page of a thread marks what it shows as
// read, by sending the page's own "Mark as read" form in the background (with its CSRF
// token). Without JavaScript the button does the same.
(function () {
  "use strict";
  function markRead() {
    var form = document.querySelector("form[data-auto-read]");
    if (!form || !window.fetch) { return; }
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        redirect: "manual"})
      .then(function () { form.hidden = true; })
      .catch(function () { /* the button stays: reading it later does the same */ });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markRead);
  } else {
    markRead();
  }
}());
