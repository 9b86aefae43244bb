// shuzhi: small behaviours that htmx attributes cannot express. Loaded as a file (CSP: no inline script).
(function () {
  "use strict";

  // Tree toggles: the first click loads the next level (hx-get); later clicks fold and unfold it
  // without asking the server again.
  document.addEventListener("htmx:confirm", function (event) {
    var button = event.detail.elt;
    if (!button.classList || !button.classList.contains("toggle")) return;
    var target = document.querySelector(button.getAttribute("hx-target"));
    if (!target || !target.hasChildNodes()) return;
    event.preventDefault();
    var open = button.getAttribute("aria-expanded") === "true";
    target.hidden = open;
    button.setAttribute("aria-expanded", open ? "false" : "true");
    button.textContent = open ? "+" : "−";
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var button = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!button || !button.classList || !button.classList.contains("toggle")) return;
    button.setAttribute("aria-expanded", "true");
    button.textContent = "−";
  });
})();
