/* A few enhancements on top of pages that work without JavaScript. No framework, no eval
   (the CSP allows scripts from this site only). */
(function () {
  "use strict";

  // htmx sends the CSRF token as a header on every request it makes. The token and the
  // header's name come from <meta name="csrf-token" content="..." data-header="...">.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers[meta.getAttribute("data-header") || "X-CSRF-Token"] = meta.content;
    }
  });

  // Recording a grievance: with JavaScript every step comes in the one form (/static/record.js),
  // so she can finish it offline.
  document.querySelectorAll("a[href$='/grievances/new']").forEach(function (a) {
    a.href += "?all=1";
  });

  // Quick exit: replace this page in the history rather than add to it, so the back button
  // does not lead straight back. Without JavaScript it is a plain link and still works.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.quick-exit") : null;
    if (!link) {
      return;
    }
    event.preventDefault();
    window.location.replace(link.href);
  });
})();
