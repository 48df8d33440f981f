/* Recording a grievance with every step in the one form (the server renders them all when
   the link carries ?all=1, which app.js adds): one step shown at a time, the required checks
   repeated here with the messages the page carries, workers added and the pickers searched
   in the page. So she can finish it offline: the last submit goes to the outbox
   (/static/outbox.js). Online the server still checks everything. */
(function () {
  "use strict";
  var marks = document.querySelector("form [data-record]");
  if (!marks) {
    return;
  }
  var form = marks.form || marks.closest("form");
  var steps = form.querySelectorAll("section[data-step]"), at = 0;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) { e.textContent = text; }
    return e;
  }

  function show(i) {
    at = i;
    steps.forEach(function (s, j) { s.hidden = j !== i; });
    form.querySelector(".buttons:not([data-nav])").hidden = i !== steps.length - 1;
    if (i === steps.length - 1) { consents(); }
  }

  function say(field, text) {
    var p = el("p", { "class": "field-error", role: "alert", "data-said": "" }, text);
    field.parentNode.insertBefore(p, field);
  }

  function named(s, name) { return s.querySelectorAll("[name='" + name + "']"); }

  function filled(s, name) {
    return Array.prototype.some.call(named(s, name), function (i) {
      return (i.type === "radio" || i.type === "checkbox") ? i.checked : i.value.trim() !== "";
    });
  }

  // _check's required checks, per step; her words stay where she typed them.
  function check(i) {
    var s = steps[i], ok = true;
    s.querySelectorAll("[data-said]").forEach(function (p) { p.remove(); });
    if (i === 0) {
      if (!filled(s, "worker_ids") && !named(form, "new_pseudonym").length) {
        say(named(s, "worker_ids")[0] ? named(s, "worker_ids")[0].closest("fieldset") :
          s.querySelector("fieldset.checks"), marks.getAttribute("data-choose"));
        ok = false;
      }
      return ok;
    }
    s.querySelectorAll("[required], input[type=radio]").forEach(function (input) {
      var box = input.closest(input.type === "radio" ? "fieldset" : ".field") || input;
      if (!filled(s, input.name) && !box.querySelector("[data-said]")) {
        say(box.firstElementChild || box, marks.getAttribute("data-required"));
        ok = false;
      }
    });
    return ok;
  }

  function chosen() {
    var out = [];
    steps[0].querySelectorAll("input[name=worker_ids]:checked").forEach(function (i) {
      out.push({ key: i.value, name: i.parentNode.textContent.trim(), given: i.getAttribute("data-given").split(" ") });
    });
    named(form, "new_pseudonym").forEach(function (i, n) {
      out.push({ key: "new:" + n, name: i.value, given: [] });
    });
    return out;
  }

  // The consent step, made from who she chose; what she ticked stays ticked.
  function consents() {
    var box = form.querySelector("[data-consents]"), was = {};
    box.querySelectorAll("input:checked").forEach(function (i) { was[i.name + i.value] = true; });
    box.textContent = "";
    chosen().forEach(function (p) {
      var f = el("fieldset", { "class": "field checks" });
      f.appendChild(el("legend", {}, p.name));
      ["contact", "research"].forEach(function (purpose) {
        var text = box.getAttribute("data-" + purpose), l = el("label", { "class": "choice" });
        if (p.given.indexOf(purpose) >= 0) {
          f.appendChild(el("p", { "class": "choice" }, text));
          return;
        }
        var c = el("input", { type: "checkbox", name: "consent_" + purpose, value: p.key });
        c.checked = !!was[c.name + c.value];
        l.appendChild(c);
        l.appendChild(el("span", {}, text));
        f.appendChild(l);
      });
      box.appendChild(f);
    });
  }

  function addWorker(button) {
    var box = button.closest("fieldset"), name = named(box, "add_pseudonym")[0];
    var phone = named(box, "add_phone")[0];
    box.querySelectorAll("[data-said]").forEach(function (p) { p.remove(); });
    if (!name.value.trim()) {
      say(name.closest(".field") || name, marks.getAttribute("data-required"));
      return;
    }
    var row = el("p", { "class": "choice" }), remove = el("button",
      { type: "button", "class": "button secondary" }, button.getAttribute("data-remove"));
    row.appendChild(el("span", { "class": "grow" }, name.value.trim()));
    [["new_pseudonym", name], ["new_phone", phone]].forEach(function (pair) {
      row.appendChild(el("input", { type: "hidden", name: pair[0], value: pair[1].value.trim() }));
      pair[1].value = "";
    });
    remove.addEventListener("click", function () { row.remove(); });
    row.appendChild(remove);
    box.parentNode.insertBefore(row, box.nextSibling);
  }

  // A picker's search, on the phone: the list narrowed to her words, what is ticked kept.
  function find(button) {
    var words = button.closest(".field").querySelector("input").value.trim().toLowerCase();
    var list = button.closest(".field").nextElementSibling;
    list.querySelectorAll("label.choice, option").forEach(function (l) {
      var box = l.querySelector("input") || l;
      l.hidden = !!words && !(box.checked || box.selected) &&
        l.textContent.toLowerCase().indexOf(words) < 0;
    });
  }

  form.addEventListener("click", function (event) {
    var b = event.target.closest("button");
    if (!b) {
      return;
    }
    var go = b.name === "go" ? b.value : "";
    if (go === "add_worker" || go === "find") {
      event.preventDefault();
      return go === "find" ? find(b) : addWorker(b);
    }
    if (b.hasAttribute("data-next") && check(at)) {
      show(at + 1);
    } else if (b.hasAttribute("data-back")) {
      show(at - 1);
    }
  });

  // Before the outbox or htmx see the last submit: every step checked, the first failing shown.
  window.addEventListener("submit", function (event) {
    if (event.target !== form) {
      return;
    }
    for (var i = 0; i < steps.length; i++) {
      if (!check(i)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return show(i);
      }
    }
  }, true);

  form.querySelectorAll("[data-nav]").forEach(function (n) { n.hidden = false; });
  show(0);
})();
