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

  // A select marked data-autosubmit sends its form when changed.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) field.form.submit();
  });

  // A button marked data-print prints the page (the count sheet, slips).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });

  // A form marked data-confirm asks before it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm-click")) || (form.getAttribute && form.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // The phone ballot: say how far along it is, and check the rules before sending (the server
  // checks them again).
  function ballotState(form) {
    var cards = form.querySelectorAll("[data-reporter]");
    var missing = [], good = 0;
    cards.forEach(function (card) {
      var chosen = card.querySelector("input[type=radio]:checked");
      if (!chosen) missing.push(card);
      else if (chosen.value === "好") good += 1;
    });
    return { cards: cards, missing: missing, good: good, limit: form.getAttribute("data-good-limit") };
  }

  function ballotProgress(form) {
    var state = ballotState(form);
    var text = "已评 " + (state.cards.length - state.missing.length) + " / " + state.cards.length + "，其中“好” " + state.good;
    if (state.limit !== "") text += "（最多 " + state.limit + "）";
    var out = document.getElementById("ballot-progress");
    if (out) out.textContent = text;
    return state;
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.id === "ballot") {
      var card = event.target.closest("[data-reporter]");
      if (card) card.classList.remove("is-missing");
      ballotProgress(form);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "ballot") return;
    var state = ballotProgress(form);
    var problems = [];
    state.cards.forEach(function (card) { card.classList.toggle("is-missing", state.missing.indexOf(card) >= 0); });
    if (state.missing.length) problems.push("还有 " + state.missing.length + " 位没有评价，请逐一评价后再提交。");
    if (state.limit !== "" && state.good > parseInt(state.limit, 10)) problems.push("“好”最多只能评 " + state.limit + " 个，现在评了 " + state.good + " 个。");
    var box = document.getElementById("ballot-check");
    if (problems.length) {
      event.preventDefault();
      box.textContent = problems.join(" ");
      box.classList.remove("d-none");
      (state.missing[0] || box).scrollIntoView({ block: "center" });
    } else {
      box.classList.add("d-none");
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("ballot");
    if (form) ballotProgress(form);
  });
})();
