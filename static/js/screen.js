// The meeting's big screen (/s/<token>/): a 全屏 button through the Fullscreen API. A static file,
// because the Content-Security-Policy allows no inline script. The button shows only where the
// browser can go full screen, and its label follows the state (Esc leaves full screen too).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var button = document.querySelector("[data-fullscreen]");
    var root = document.documentElement;
    if (!button || !document.fullscreenEnabled || !root.requestFullscreen) return;
    function label() {
      var on = Boolean(document.fullscreenElement);
      button.textContent = on ? button.dataset.labelExit : button.dataset.labelEnter;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      document.body.classList.toggle("is-fullscreen", on);
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else root.requestFullscreen().catch(function () {});
    });
    document.addEventListener("fullscreenchange", label);
    label();
  });
})();
