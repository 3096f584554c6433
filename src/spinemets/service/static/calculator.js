/* spinemets calculator: a form for every interchange field; results from POST assess. */
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("fields").textContent);
  var form = document.getElementById("case-form");
  var caseBox = document.getElementById("case-fields");
  var lesionList = document.getElementById("lesion-list");
  var statusBox = document.getElementById("status");
  var errorBox = document.getElementById("error");
  var scoresBox = document.getElementById("scores");
  var recBox = document.getElementById("rec-body");
  var share = document.getElementById("share");
  var nextLesion = 0;
  var sequence = 0;
  var timer = null;
  var controller = null;
  var carried = {}; // keys the form has no control for but the case keeps (id)

  function el(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (attrs[key] !== null && attrs[key] !== undefined) { node.setAttribute(key, attrs[key]); }
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
    }
    return node;
  }

  function label(name) { return name.replace(/_/g, " ").replace(/^./, function (c) { return c.toUpperCase(); }); }

  function control(spec, id) {
    var describedby = id + "-hint " + id + "-err";
    if (spec.kind === "code" || spec.kind === "bool") {
      var select = el("select", { id: id, "data-field": spec.name, "aria-describedby": describedby });
      select.append(el("option", { value: "" }, "not assessed"));
      var values = spec.kind === "bool" ? [["true", "yes"], ["false", "no"]]
        : spec.codes.map(function (c) { return [c, c]; });
      values.forEach(function (v) { select.append(el("option", { value: v[0] }, v[1])); });
      return select;
    }
    return el("input", { id: id, type: "text", "data-field": spec.name, autocomplete: "off",
      inputmode: spec.kind === "int" ? "numeric" : "decimal", "aria-describedby": describedby });
  }

  function fieldRow(spec, id) {
    return el("div", { "class": "field" },
      el("label", { "for": id }, label(spec.name)),
      control(spec, id),
      el("p", { "class": "hint", id: id + "-hint" },
        spec.kind === "code" ? spec.description : spec.description + " (" + spec.allowed + ")"),
      el("p", { "class": "err", id: id + "-err" }));
  }

  Object.keys(T.groups).forEach(function (group) {
    var specs = T["case"].filter(function (s) { return s.group === group; });
    if (!specs.length) { return; }
    var box = el("fieldset", { "class": "group" }, el("legend", null, T.groups[group]));
    specs.forEach(function (spec) { box.append(fieldRow(spec, "f-" + spec.name)); });
    caseBox.append(box);
  });

  function lesionBoxes() { return Array.prototype.slice.call(lesionList.querySelectorAll("fieldset.lesion")); }

  function renumber() {
    lesionBoxes().forEach(function (box, i) {
      box.querySelector("legend").textContent = "Lesion " + (i + 1);
      box.querySelector("button.remove").textContent = "Remove lesion " + (i + 1);
    });
  }

  function addLesion(values) {
    var key = nextLesion++;
    var box = el("fieldset", { "class": "lesion", "data-lesion": key }, el("legend"));
    T.lesion.forEach(function (spec) { box.append(fieldRow(spec, "l" + key + "-" + spec.name)); });
    var remove = el("button", { type: "button", "class": "remove" });
    remove.addEventListener("click", function () {
      box.remove();
      renumber();
      document.getElementById("add-lesion").focus();
      schedule();
    });
    box.append(remove);
    lesionList.append(box);
    if (values) { setValues(box, T.lesion, "l" + key + "-", values); }
    renumber();
    return box;
  }

  function setValue(node, value) {
    var text = value === true ? "true" : value === false ? "false" : String(value);
    if (node.tagName === "SELECT" && !Array.prototype.some.call(node.options, function (o) { return o.value === text; })) {
      node.append(el("option", { value: text }, text));
    }
    node.value = text;
  }

  function setValues(root, specs, prefix, values) {
    specs.forEach(function (spec) {
      var v = values[spec.name];
      if (v !== null && v !== undefined) { setValue(root.querySelector("#" + prefix + spec.name), v); }
    });
  }

  function read(node, spec) {
    var raw = node.value.trim();
    if (raw === "") { return undefined; }
    if (spec.kind === "bool") { return raw === "true"; }
    if (spec.kind === "int" || spec.kind === "number") {
      return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : raw;
    }
    return raw;
  }

  function currentCase() {
    var data = {};
    var key;
    for (key in carried) { data[key] = carried[key]; }
    T["case"].forEach(function (spec) {
      var v = read(document.getElementById("f-" + spec.name), spec);
      if (v !== undefined) { data[spec.name] = v; }
    });
    var lesions = lesionBoxes().map(function (box) {
      var lesion = {};
      var k = box.getAttribute("data-lesion");
      T.lesion.forEach(function (spec) {
        var v = read(document.getElementById("l" + k + "-" + spec.name), spec);
        if (v !== undefined) { lesion[spec.name] = v; }
      });
      return lesion;
    });
    if (lesions.some(function (l) { return Object.keys(l).length > 0; })) { data.lesions = lesions; }
    return data;
  }

  function clearErrors() {
    errorBox.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) { n.removeAttribute("aria-invalid"); });
    Array.prototype.forEach.call(form.querySelectorAll(".err"), function (n) { n.textContent = ""; });
  }

  function controlFor(path) {
    var m = /^lesions\[(\d+)\]\.(\w+)$/.exec(path);
    if (m) {
      var box = lesionBoxes()[Number(m[1])];
      return box ? document.getElementById("l" + box.getAttribute("data-lesion") + "-" + m[2]) : null;
    }
    return document.getElementById("f-" + path);
  }

  function showError(error) {
    clearResults();
    errorBox.append(el("p", null, "This case cannot be scored: " + error.message));
    (error.fields || []).forEach(function (path) {
      var node = controlFor(path);
      if (node) {
        node.setAttribute("aria-invalid", "true");
        document.getElementById(node.id + "-err").textContent = "Invalid: see the message in the results.";
      }
    });
    statusBox.textContent = "The case has invalid fields: " + (error.fields || []).join(", ");
  }

  function clearResults() { scoresBox.textContent = ""; recBox.textContent = ""; }

  function itemsTable(items) {
    var table = el("table");
    var body = el("tbody");
    Object.keys(items || {}).forEach(function (key) {
      body.append(el("tr", null, el("th", { scope: "row" }, label(key)), el("td", null, String(items[key]))));
    });
    table.append(el("caption", { "class": "hint" }, "Points per item"), body);
    return table;
  }

  function scoreCard(spec, r) {
    var card = el("article", { "class": "score", "data-score": spec.id, "data-status": r.status,
      "aria-labelledby": "s-" + spec.id });
    card.append(el("h4", { id: "s-" + spec.id }, spec.title + (r.citation ? " (" + r.citation + ")" : "")));
    if (r.status === "complete" && spec.id === "escc") {
      card.setAttribute("data-grade", r.grade);
      card.setAttribute("data-class", r["class"]);
      card.append(el("p", null, "Worst grade ", el("span", { "class": "total" }, r.grade), ", class " + r["class"]));
    } else if (r.status === "complete") {
      card.setAttribute("data-total", String(r.total));
      var line = el("p", null, "Total ", el("span", { "class": "total" }, String(r.total)));
      if (r.band) {
        card.setAttribute("data-band", r.band.code);
        line.append(", band " + r.band.code + " (" + r.band.range[0] + "–" + r.band.range[1] + ")");
      }
      if (r.strategy) { line.append("; strategy " + r.strategy); }
      card.append(line, itemsTable(r.items));
    } else if (r.status === "incomplete") {
      card.append(el("p", { "class": "missing" }, "Incomplete: needs " + r.missing.join(", ")));
    } else {
      card.append(el("p", null, "Not applicable: " + (r.reason || "")));
    }
    if (spec.id === "sins" && r.lesions && r.lesions.length > 1) {
      var list = el("ul");
      r.lesions.forEach(function (l, i) {
        list.append(el("li", null, "Lesion " + (i + 1) + (l.level ? " (" + l.level + ")" : "") + ": " +
          (l.status === "complete" ? "SINS " + l.total : "incomplete, needs " + l.missing.join(", "))));
      });
      card.append(list);
    }
    if (r.flags && r.flags.length) { card.append(el("p", { "class": "hint" }, "Flags: " + r.flags.join(", "))); }
    return card;
  }

  function renderRecommendation(rec) {
    var dl = el("dl", { "data-radiation": rec.radiation, "data-stabilization": rec.stabilization },
      el("dt", null, "Radiation"), el("dd", null, el("span", { "class": "code" }, rec.radiation)),
      el("dt", null, "Stabilization"), el("dd", null, el("span", { "class": "code" }, rec.stabilization)));
    recBox.append(dl);
    var rationale = el("ul", { "aria-label": "Rationale per pillar" });
    Object.keys(rec.rationale || {}).forEach(function (pillar) {
      rationale.append(el("li", null, el("strong", null, pillar + ": "), rec.rationale[pillar]));
    });
    recBox.append(el("h4", null, "Rationale"), rationale);
    var missing = Object.keys(rec.missing || {});
    if (missing.length) {
      var ml = el("ul");
      missing.forEach(function (part) { ml.append(el("li", null, part + " would be decided by: " + rec.missing[part].join(", "))); });
      recBox.append(el("h4", null, "Missing"), ml);
    }
    if (rec.flags && rec.flags.length) { recBox.append(el("p", { "class": "hint" }, "Flags: " + rec.flags.join(", "))); }
    if (rec.options && rec.options.length) {
      var ol = el("ul");
      rec.options.forEach(function (o) { ol.append(el("li", null, el("strong", null, o.option + ": "), o.rationale + " (" + o.source + ")")); });
      recBox.append(el("details", { "class": "options" },
        el("summary", null, "Options from the literature (" + rec.options.length + ")"), ol));
    }
  }

  function render(result) {
    clearResults();
    var complete = 0;
    T.scores.forEach(function (spec) {
      var r = result.scores[spec.id];
      if (!r) { return; }
      if (r.status === "complete") { complete++; }
      scoresBox.append(scoreCard(spec, r));
    });
    renderRecommendation(result.recommendation);
    statusBox.textContent = "Results updated: " + complete + " of " + T.scores.length +
      " scores complete; radiation " + result.recommendation.radiation + ", stabilization " +
      result.recommendation.stabilization + ".";
  }

  function update() {
    var data = currentCase();
    share.href = "./?case=" + encodeURIComponent(JSON.stringify(data));
    var mine = ++sequence;
    if (controller) { controller.abort(); }
    controller = new AbortController();
    document.body.setAttribute("aria-busy", "true");
    fetch("assess", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data), signal: controller.signal, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      })
      .then(function (answer) {
        if (mine !== sequence) { return; }
        clearErrors();
        if (answer.body && answer.body.error) { showError(answer.body.error); } else { render(answer.body); }
        document.body.setAttribute("data-updated", String(mine));
        document.body.removeAttribute("aria-busy");
      })
      .catch(function (err) {
        if (err && err.name === "AbortError") { return; }
        clearResults();
        errorBox.textContent = "The service could not be reached.";
        document.body.removeAttribute("aria-busy");
      });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 120);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  document.getElementById("add-lesion").addEventListener("click", function () {
    var box = addLesion(null);
    box.querySelector("select, input").focus();
    schedule();
  });
  document.getElementById("clear").addEventListener("click", function () {
    form.reset();
    carried = {};
    lesionList.textContent = "";
    addLesion(null);
    schedule();
  });

  function prefill() {
    var text = new URLSearchParams(window.location.search).get("case");
    if (!text) { addLesion(null); return; }
    var data;
    try { data = JSON.parse(text); } catch (e) { data = null; }
    if (!data || typeof data !== "object" || Array.isArray(data)) {
      addLesion(null);
      document.getElementById("notice").textContent = "The link's case is not a JSON object; the form starts empty.";
      return;
    }
    var known = {};
    T["case"].forEach(function (s) { known[s.name] = true; });
    var unknown = [];
    Object.keys(data).forEach(function (key) {
      if (key === "lesions" || key === "interchange" || known[key]) { return; }
      if (key === "id") { carried.id = data.id; return; }
      unknown.push(key);
    });
    setValues(caseBox, T["case"], "f-", data);
    var lesionKnown = {};
    T.lesion.forEach(function (s) { lesionKnown[s.name] = true; });
    if (Array.isArray(data.lesions) && data.lesions.length) {
      data.lesions.forEach(function (l, i) {
        var lesion = l && typeof l === "object" ? l : {};
        Object.keys(lesion).forEach(function (key) {
          if (!lesionKnown[key]) { unknown.push("lesions[" + i + "]." + key); }
        });
        addLesion(lesion);
      });
    } else {
      addLesion(null);
    }
    if (unknown.length) {
      document.getElementById("notice").textContent = "The link held fields this page does not know (left out): " + unknown.join(", ");
    }
  }

  prefill();
  update();
}());
