/* The service worker: it handles command posts only, and caches nothing. A form post that
   fails on the way (no network) is answered 204, so the page stays with what she typed, and
   the page is told to encrypt and keep it (/static/outbox.js). Every other request goes to
   the network untouched. On Background Sync it sends what the phone kept. */
importScripts("/static/outbox.js");

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "POST" || request.mode !== "navigate") {
    return;
  }
  event.respondWith(fetch(request.clone()).catch(function () {
    return self.clients.matchAll({ type: "window" }).then(function (windows) {
      windows.forEach(function (w) { w.postMessage({ outbox: "offline" }); });
      return new Response(null, { status: 204 });
    });
  }));
});

self.addEventListener("sync", function (event) {
  if (event.tag === "organize-outbox") {
    // The open pages are told a replay ran: what it was refused waits beside the queue, and
    // each page says it in her language (outbox.js, ``refusals``).
    event.waitUntil(self.organizeOutbox.replay().then(function (done) {
      return self.clients.matchAll({ type: "window" }).then(function (windows) {
        windows.forEach(function (w) {
          w.postMessage({ outbox: "replayed", refused: done.refused });
        });
      });
    }));
  }
});
