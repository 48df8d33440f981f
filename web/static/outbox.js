/* The offline outbox, write-only. When a form cannot reach the server, its post is encrypted
   here to the server's public key (ECDH P-256, an ephemeral key per envelope, HKDF-SHA256,
   AES-256-GCM) and only the ciphertext is kept in IndexedDB, with the route, the command id,
   the attempts and its place in this phone's order (and, until a page has said it, the name of
   a form the server refused). Nothing here can open it again: only the
   server can. The service worker (/sw.js) loads this file too, to send the queue on
   Background Sync; pages send it on load and when the network comes back.
   Nothing is read offline, nothing is cached: pages stay no-store. */
(function (self) {
  "use strict";
  var DB = "organize-outbox", QUEUE = "queue", META = "meta", INFO = "organize-outbox-v1";
  var enc = new TextEncoder();

  function open() {
    return new Promise(function (ok, fail) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () {
        r.result.createObjectStore(QUEUE, { keyPath: "seq" });
        r.result.createObjectStore(META);
      };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }

  // One transaction; the database is closed after it, so a quick exit can delete it at once.
  function run(stores, mode, work) {
    return open().then(function (db) {
      return new Promise(function (ok, fail) {
        var t = db.transaction(stores, mode), out;
        Promise.resolve(work(t)).then(function (v) { out = v; });
        t.oncomplete = function () { db.close(); ok(out); };
        t.onerror = t.onabort = function () { db.close(); fail(t.error); };
      });
    });
  }

  function req(r) {
    return new Promise(function (ok, fail) {
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }

  // Reading never creates the database: after a quick exit there must be nothing at all.
  function exists() {
    return indexedDB.databases ? indexedDB.databases().then(function (all) {
      return all.some(function (d) { return d.name === DB; });
    }) : Promise.resolve(true);
  }

  function entries() {
    return exists().then(function (yes) {
      return yes ? run([QUEUE], "readonly", function (t) { return req(t.objectStore(QUEUE).getAll()); }) : [];
    });
  }

  function drop(seq) {
    return run([QUEUE], "readwrite", function (t) { t.objectStore(QUEUE).delete(seq); });
  }

  function b64(bytes) {
    var s = "";
    new Uint8Array(bytes).forEach(function (b) { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function unb64(text) {
    var s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(s, function (c) { return c.charCodeAt(0); });
  }

  // The next place in this phone's order, and its device id (random, made with the queue).
  function slot() {
    return run([META], "readwrite", function (t) {
      var meta = t.objectStore(META);
      return req(meta.get("device")).then(function (d) {
        d = d || { id: self.crypto.randomUUID(), next: 1 };
        meta.put({ id: d.id, next: d.next + 1 }, "device");
        return { device: d.id, seq: d.next };
      });
    });
  }

  async function seal(serverKey, plain, aad) {
    var c = self.crypto.subtle, curve = { name: "ECDH", namedCurve: "P-256" };
    var server = await c.importKey("raw", unb64(serverKey), curve, false, []);
    var mine = await c.generateKey(curve, false, ["deriveBits"]);
    var epk = new Uint8Array(await c.exportKey("raw", mine.publicKey));
    var bits = await c.deriveBits({ name: "ECDH", public: server }, mine.privateKey, 256);
    var hk = await c.importKey("raw", bits, "HKDF", false, ["deriveKey"]);
    var key = await c.deriveKey({ name: "HKDF", hash: "SHA-256", salt: epk, info: enc.encode(INFO) },
      hk, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
    var iv = self.crypto.getRandomValues(new Uint8Array(12));
    var ct = await c.encrypt({ name: "AES-GCM", iv: iv, additionalData: aad }, key, plain);
    return { epk: b64(epk), iv: b64(iv), ct: b64(ct) };
  }

  async function keep(serverKey, route, body, commandId) {
    var s = await slot();
    var aad = enc.encode(INFO + "|" + s.device + "|" + s.seq);
    var plain = enc.encode(JSON.stringify({ route: route, command_id: commandId, body: body }));
    var box = await seal(serverKey, plain, aad);
    var envelope = { v: 1, device: s.device, seq: s.seq, epk: box.epk, iv: box.iv, ct: box.ct };
    await run([QUEUE], "readwrite", function (t) {
      t.objectStore(QUEUE).put({ seq: s.seq, route: route, command_id: commandId, attempts: 0,
        envelope: envelope });
    });
  }

  // What the server refused is kept beside the queue until a page has said it: only the names
  // of the forms (the route is kept beside each envelope anyway), nothing she typed. It is
  // written in the very transaction that deletes the refused entry, so whoever sends (this
  // page, a page being left, the service worker on Background Sync) the next page that looks
  // finds either the entry, to send again, or its refusal, to say; never neither.
  var REFUSED = "refused";

  function refuse(seq, item) {
    return run([QUEUE, META], "readwrite", function (t) {
      t.objectStore(QUEUE).delete(seq);
      var meta = t.objectStore(META);
      return req(meta.get(REFUSED)).then(function (items) {
        meta.put((items || []).concat([item]), REFUSED);
      });
    });
  }

  // The refusals not said yet; ``take``: taken out as they are read. A page takes them once it
  // has loaded and sent what was kept, so the next page she opens says what was refused while
  // she was leaving the last one (even when the last one said it, just as she left).
  function refusals(take) {
    return exists().then(function (yes) {
      return yes ? run([META], take ? "readwrite" : "readonly", function (t) {
        var meta = t.objectStore(META);
        return req(meta.get(REFUSED)).then(function (items) {
          if (items && take) { meta.delete(REFUSED); }
          return items || [];
        });
      }) : [];
    });
  }

  // Send what is kept, in order; each entry is deleted as soon as the server answers for it.
  // Stops at the first that cannot go yet (no network, logged out, the server busy).
  async function replay() {
    var done = { sent: 0, refused: 0, items: [], stopped: null };
    var list = (await entries()).sort(function (a, b) { return a.seq - b.seq; });
    for (var i = 0; i < list.length; i++) {
      var e = list[i], r;
      try {
        r = await fetch("/outbox", { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(e.envelope) });
      } catch (err) {
        done.stopped = "offline";
        break;
      }
      if (r.status === 200) {
        done.sent++;
      } else if (r.status === 422 || r.status === 400 || r.status === 413) {
        done.refused++;
        var item = "";
        try { // the server names what it refused, in her language
          item = (await r.json()).item || "";
        } catch (err) { /* a refusal without a name: the general message */ }
        if (item && done.items.indexOf(item) < 0) { done.items.push(item); }
        await refuse(e.seq, item); // the entry goes and its refusal stays, at once
        continue;
      } else {
        e.attempts++;
        await run([QUEUE], "readwrite", function (t) { t.objectStore(QUEUE).put(e); });
        done.stopped = r.status === 401 ? "login" : "wait";
        break;
      }
      await drop(e.seq);
    }
    return done;
  }

  function count() {
    return entries().then(function (all) { return all.length; });
  }

  function clear() {
    return new Promise(function (ok) {
      var r = indexedDB.deleteDatabase(DB);
      r.onsuccess = r.onerror = r.onblocked = function () { ok(); };
    });
  }

  self.organizeOutbox = { keep: keep, replay: replay, count: count, clear: clear };
  if (typeof document === "undefined") {
    return; // the service worker: it only replays
  }

  // -- the page ---------------------------------------------------------------------------
  var bar = document.querySelector("[data-outbox]");
  if (!bar || !self.indexedDB || !self.crypto || !self.crypto.subtle) {
    return;
  }
  var serverKey = null, last = null, reg = null;
  var number = bar.querySelector("[data-outbox-count]");
  var note = bar.querySelector("[data-outbox-note]");

  function say(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  function tellRefused(items) {
    var named = items.filter(function (x, i) { return x && items.indexOf(x) === i; });
    say(named.length ? bar.getAttribute("data-refused-item").replace("%(item)s", named.join(", "))
      : bar.getAttribute("data-refused"));
  }

  function show() {
    return count().then(function (n) {
      number.textContent = n.toLocaleString(document.documentElement.lang);
      bar.querySelector("[data-outbox-more]").hidden = n === 0;
    });
  }

  // Says the refusals not said yet, whoever met them; true when there were some.
  function tellRefusals(take) {
    return refusals(take).then(function (items) {
      if (items.length) { tellRefused(items); }
      return items.length > 0;
    }, function () { return false; });
  }

  function send(loaded) {
    var sent = navigator.onLine ? replay() : Promise.resolve(null);
    return sent.then(function (d) {
      return tellRefusals(loaded === true).then(function (told) {
        if (told || !d) {
          return;
        } else if (d.sent) {
          say(bar.getAttribute("data-sent"));
        } else if (d.stopped === "login") {
          say(bar.getAttribute("data-login"));
        }
      });
    }, function () { return tellRefusals(loaded === true); }).then(show, show);
  }

  // A leaders' form (/c/...) that records something: the only posts the server takes back.
  function queueable(form, submitter) {
    var go = submitter && submitter.name === "go" ? submitter.value : "submit";
    return go === "submit" && form.querySelector("input[name=command_id]") &&
      (form.method || "").toLowerCase() === "post" &&
      new URL(form.action, location.href).pathname.indexOf("/c/") === 0;
  }

  function capture(form, submitter) {
    if (!queueable(form, submitter)) {
      say(bar.getAttribute("data-step"));
      return Promise.resolve();
    }
    if (!serverKey || !form.checkValidity()) {
      form.reportValidity();
      say(serverKey ? "" : bar.getAttribute("data-nokey"));
      return Promise.resolve();
    }
    var data = new FormData(form, submitter || undefined);
    var body = new URLSearchParams(data).toString();
    var route = new URL(form.action, location.href).pathname;
    return keep(serverKey, route, body, String(data.get("command_id"))).then(function () {
      say(bar.getAttribute("data-kept"));
      if (navigator.storage && navigator.storage.persist) {
        navigator.storage.persist();
      }
      if (reg && reg.sync) {
        reg.sync.register("organize-outbox").catch(function () {});
      }
      return show();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[action='/logout']")) {
      event.preventDefault(); // asked afresh: another tab may have kept something since
      count().then(function (n) {
        if (n === 0 || self.confirm(bar.getAttribute("data-logout"))) {
          form.submit();
        }
      }, function () { form.submit(); });
      return;
    }
    last = { form: form, submitter: event.submitter };
    if (navigator.onLine || (form.method || "").toLowerCase() !== "post") {
      return; // online: the plain post; the service worker steps in if it fails on the way
    }
    event.preventDefault();
    event.stopImmediatePropagation(); // not htmx either: there is no network to send it on
    capture(form, event.submitter);
  }, true);

  document.addEventListener("click", function (event) {
    var t = event.target.closest ? event.target : null;
    if (t && t.closest("a.quick-exit")) {
      indexedDB.deleteDatabase(DB); // the server's Clear-Site-Data repeats it
    } else if (t && t.closest("[data-outbox-clear]") && self.confirm(bar.getAttribute("data-confirm"))) {
      clear().then(function () { say(""); return show(); });
    }
  }, true);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").then(function (r) { reg = r; }, function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.outbox === "offline" && last) {
        capture(last.form, last.submitter);
      } else if (event.data && event.data.outbox === "replayed") { // sent by Background Sync
        tellRefusals(false).then(show, show);
      }
    });
  }
  self.addEventListener("online", function () { send(false); });
  bar.hidden = false;
  fetch("/outbox/key", { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (k) { serverKey = k.key; bar.setAttribute("data-ready", ""); }, function () {});
  send(true);
})(self);
