// The report's only script: filters by severity, rule, provider, free text and suppression.
// It reads the page (data- attributes and text the server escaped) and never builds markup,
// so nothing it touches can become HTML. No log value is ever written inside this script.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var alerts = Array.prototype.slice.call(document.querySelectorAll("details.alert"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]"));
  var count = document.getElementById("f-count");
  function value(id) { var e = document.getElementById(id); return e ? e.value : ""; }
  // An incident's actor and story match the free text for each of its alerts.
  function groupText(a) {
    var g = a.closest("[data-group]");
    var head = g && g.querySelector(".group-text");
    return head ? head.textContent.toLowerCase() : "";
  }
  function apply() {
    var sev = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[name=sev]"), function (c) {
      sev[c.value] = c.checked;
    });
    var rule = value("f-rule"), provider = value("f-provider");
    var text = value("f-text").trim().toLowerCase();
    var sup = document.getElementById("f-suppressed");
    var showSuppressed = sup ? sup.checked : true;
    var shown = 0;
    alerts.forEach(function (a) {
      var d = a.dataset;
      var ok = sev[d.severity] !== false &&
        (!rule || d.rule === rule) &&
        (!provider || d.provider === provider) &&
        (showSuppressed || d.suppressed !== "true") &&
        (!text || a.textContent.toLowerCase().indexOf(text) >= 0 || groupText(a).indexOf(text) >= 0);
      a.hidden = !ok;
      if (ok) { shown += 1; }
    });
    groups.forEach(function (g) {
      g.hidden = !g.querySelector("details.alert:not([hidden])");
    });
    count.textContent = shown + " of " + alerts.length + " alerts shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  apply();
  // Proof of life for tests: the script ran (so an injected one would have too).
  document.body.setAttribute("data-filters", "ready");
})();
