/* f1lake dashboard: draws the embedded, pre-shaped data with Chart.js. No network.
 *
 * State (sheet, season, race, driver, team) lives in the URL fragment, e.g.
 * #sheet=race&season=2021&race=22, so a view can be shared and the back button steps back
 * through selections. Python shaped every visual (charts.py); here a filtered visual only picks
 * the part for the chosen race or driver.
 */
(function () {
  "use strict";
  var PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
  ];
  var MANY_BARS = 12; // more bars than this: horizontal, one row each, scrolling
  var payload = JSON.parse(document.getElementById("f1lake-dashboard-data").textContent);
  var spec = payload.dashboard;
  var params = spec.parameters;
  var root = params[0].name;
  var charts = {};
  var sorts = {};
  var state = {};

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function heading(visual, column) {
    return visual.labels[column] || String(column);
  }

  function formatCell(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number") {
      return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
    }
    return String(value);
  }

  function options(name) {
    var season = payload.options[String(state[root])] || {};
    return season[name] || [];
  }

  // --- state and URL ---------------------------------------------------------------------

  function fromHash() {
    var out = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      if (i > 0) out[decodeURIComponent(pair.slice(0, i))] = decodeURIComponent(pair.slice(i + 1));
    });
    return out;
  }

  function toHash() {
    var parts = ["sheet=" + encodeURIComponent(state.sheet)];
    params.forEach(function (p) {
      if (state[p.name] !== "" && state[p.name] !== undefined && state[p.name] !== null) {
        parts.push(p.name + "=" + encodeURIComponent(state[p.name]));
      }
    });
    return "#" + parts.join("&");
  }

  /* Settle a wanted state: a season the page holds, a race of that season, a driver of it. */
  function settle(wanted) {
    var next = {};
    var season = Number(wanted[root]);
    next[root] = payload.seasons.indexOf(season) >= 0 ? season : payload.default_season;
    var sheetIds = spec.sheets.map(function (s) { return s.id; });
    next.sheet = sheetIds.indexOf(wanted.sheet) >= 0 ? wanted.sheet : sheetIds[0];
    var before = state;
    state = next;
    params.slice(1).forEach(function (p) {
      var values = options(p.name).map(function (o) { return String(o[0]); });
      var want = wanted[p.name] !== undefined ? String(wanted[p.name]) : "";
      if (values.indexOf(want) >= 0) next[p.name] = want;
      else if (p.optional) next[p.name] = "";
      else if (p.default === "latest") next[p.name] = values.length ? values[values.length - 1] : "";
      else next[p.name] = values.indexOf(String(p.default)) >= 0 ? String(p.default) : (values[0] || "");
    });
    state = before;
    return next;
  }

  function apply(wanted, how) {
    state = settle(wanted);
    var hash = toHash();
    try {
      if (how === "push" && hash !== window.location.hash) history.pushState(null, "", hash);
      else if (how !== "none") history.replaceState(null, "", hash);
    } catch (_e) { /* some file:// contexts refuse it; the view still changes */ }
    draw();
  }

  function change(name, value) {
    var wanted = Object.assign({}, state);
    wanted[name] = value;
    apply(wanted, "push");
  }

  // --- controls --------------------------------------------------------------------------

  function fillSelect(select, p) {
    select.textContent = "";
    if (p.name === root) {
      payload.seasons.slice().reverse().forEach(function (s) {
        select.appendChild(el("option", { value: String(s) }, String(s)));
      });
    } else {
      if (p.optional) select.appendChild(el("option", { value: "" }, "All"));
      options(p.name).forEach(function (o) {
        var text = p.name === "race" ? o[0] + ". " + o[1] : String(o[1]);
        select.appendChild(el("option", { value: String(o[0]) }, text));
      });
    }
    select.value = String(state[p.name]);
  }

  function showControls() {
    var sheet = spec.sheets.filter(function (s) { return s.id === state.sheet; })[0];
    params.forEach(function (p) {
      var label = document.getElementById("control-" + p.name);
      label.hidden = sheet.controls.indexOf(p.name) < 0;
      fillSelect(document.getElementById(p.name), p);
    });
    spec.sheets.forEach(function (s) {
      var tab = document.getElementById("tab-" + s.id);
      tab.setAttribute("aria-selected", String(s.id === state.sheet));
      document.getElementById("sheet-" + s.id).classList.toggle("active", s.id === state.sheet);
    });
  }

  // --- visuals ---------------------------------------------------------------------------

  function container(visual) {
    return visual.overall ? payload.overall[visual.id]
      : (payload.visuals[String(state[root])] || {})[visual.id];
  }

  function shapedOf(visual) {
    var shaped = container(visual);
    if (!shaped || !visual.filter) return shaped;
    return shaped.parts[String(state[visual.filter[1]] || "")];
  }

  function emptyNote(visual) {
    if (visual.unavailable) return visual.unavailable;
    var all = container(visual);
    if (visual.filter && !state[visual.filter[1]] && !(all && "" in all.parts)) {
      return "Choose a " + visual.filter[1] + " above.";
    }
    var what = visual.filter && visual.filter[1] === "race" ? "this race" : String(state[root]);
    return visual.overall ? "No data in the lake." : "No data for " + what + ".";
  }

  function styled(visual, datasets) {
    var used = {};
    return datasets.map(function (d, i) {
      var c = d.colour || PALETTE[i % PALETTE.length];
      var out = { label: d.label, data: d.data.slice(), borderColor: c, backgroundColor: c };
      if (d.colours) out.backgroundColor = d.colours.slice();
      if (visual.type === "line") {
        out.borderWidth = 2;
        out.pointRadius = 2;
        out.tension = 0;
        out.spanGaps = false;
        if (d.colour && used[c]) out.borderDash = [6, 3]; // a team's second driver
        used[c] = true;
      }
      return out;
    });
  }

  function chartConfig(visual, shaped) {
    var yTitle = visual.y.length === 1 ? heading(visual, visual.y[0]) : "";
    var horizontal = visual.type === "bar" && shaped.labels.length > MANY_BARS;
    var valueAxis = {
      beginAtZero: true,
      reverse: visual.y[0] === "position",
      ticks: { precision: 0 },
      title: { display: Boolean(yTitle), text: yTitle },
    };
    var categoryAxis = {
      title: { display: true, text: heading(visual, visual.x) },
      ticks: { autoSkip: visual.type === "line" },
    };
    return {
      type: visual.type,
      data: { labels: shaped.labels.slice(), datasets: styled(visual, shaped.datasets) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        interaction: { mode: visual.type === "line" ? "nearest" : "index", intersect: false },
        plugins: {
          legend: {
            display: visual.type === "line" ? true : visual.y.length > 1,
            position: visual.type === "line" ? "right" : "top",
          },
        },
        scales: horizontal ? { y: categoryAxis, x: valueAxis } : { x: categoryAxis, y: valueAxis },
      },
    };
  }

  function isEmpty(visual, shaped) {
    if (!shaped) return true;
    return visual.type === "table" ? shaped.rows.length === 0 : shaped.labels.length === 0;
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined || a === "") return 1;
    if (b === null || b === undefined || b === "") return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    // numeric collation: position_text "2" before "10", letters (D, E) after the numbers
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  function fillTable(visual, table, shaped) {
    var numeric = shaped.columns.map(function (_c, j) {
      var seen = shaped.rows.filter(function (r) { return r[j] !== null; });
      return seen.length > 0 && seen.every(function (r) { return typeof r[j] === "number"; });
    });
    var order = shaped.rows.map(function (_r, i) { return i; });
    var sort = sorts[visual.id];
    if (sort) {
      order.sort(function (a, b) {
        var c = compare(shaped.rows[a][sort.column], shaped.rows[b][sort.column]);
        return (sort.descending ? -c : c) || a - b;
      });
    }
    table.textContent = "";
    var head = el("thead");
    var tr = el("tr");
    shaped.columns.forEach(function (c, j) {
      var attrs = { scope: "col", tabindex: "0", "data-column": String(j) };
      if (numeric[j]) attrs.class = "num";
      if (sort && sort.column === j) attrs["aria-sort"] = sort.descending ? "descending" : "ascending";
      tr.appendChild(el("th", attrs, heading(visual, c)));
    });
    head.appendChild(tr);
    table.appendChild(head);
    var body = el("tbody");
    order.forEach(function (i) {
      var r = el("tr");
      shaped.rows[i].forEach(function (v, j) {
        var td = el("td", numeric[j] ? { class: "num" } : {}, formatCell(v));
        if (j === 0 && shaped.colours) {
          td.classList.add("team");
          td.style.borderLeftColor = shaped.colours[i];
        }
        r.appendChild(td);
      });
      body.appendChild(r);
    });
    table.appendChild(body);
  }

  function sortBy(visual, column) {
    var now = sorts[visual.id];
    // numbers sort high to low first (points, wins), text A to Z
    var first = document.querySelector("#visual-" + visual.id + ' th[data-column="' + column + '"]');
    var numericFirst = first && first.classList.contains("num");
    if (now && now.column === column) sorts[visual.id] = { column: column, descending: !now.descending };
    else sorts[visual.id] = { column: column, descending: Boolean(numericFirst) };
    showVisual(visual);
  }

  function showVisual(visual) {
    var shaped = shapedOf(visual);
    var card = document.getElementById("visual-" + visual.id);
    var box = card.querySelector(".chart-box, .table-box");
    var note = card.querySelector(".empty");
    var empty = isEmpty(visual, shaped);
    box.hidden = empty;
    if (box.parentNode.classList.contains("chart-scroll")) box.parentNode.hidden = empty;
    note.hidden = !empty;
    note.textContent = empty ? emptyNote(visual) : "";
    var notes = card.querySelector(".notes");
    if (notes) notes.hidden = true;
    if (empty) return;
    if (visual.type === "table") {
      fillTable(visual, box.querySelector("table"), shaped);
      if (notes) {
        notes.textContent = "";
        (shaped.notes || []).forEach(function (n) { notes.appendChild(el("li", {}, n)); });
        notes.hidden = !(shaped.notes || []).length;
      }
      return;
    }
    var many = visual.type === "bar" && shaped.labels.length > MANY_BARS;
    box.style.height = many ? Math.max(352, 22 * shaped.labels.length + 60) + "px" : "";
    var chart = charts[visual.id];
    if (chart && chart.options.indexAxis !== (many ? "y" : "x")) {
      chart.destroy();
      chart = null;
    }
    if (!chart) {
      charts[visual.id] = new Chart(box.querySelector("canvas"), chartConfig(visual, shaped));
      return;
    }
    chart.data.labels = shaped.labels.slice();
    chart.data.datasets = styled(visual, shaped.datasets);
    chart.update();
  }

  function draw(all) {
    showControls();
    spec.sheets.forEach(function (sheet) {
      if (all || sheet.id === state.sheet) sheet.visuals.forEach(showVisual);
    });
    var raceName = options("race").filter(function (o) { return String(o[0]) === state.race; });
    var subject = state.sheet === "race" && raceName.length ? " " + raceName[0][1] : "";
    document.title = spec.title + " " + state[root] + subject + " - f1lake";
    document.body.setAttribute("data-season", String(state[root]));
    document.body.setAttribute("data-state", toHash());
  }

  // --- page ------------------------------------------------------------------------------

  function build() {
    var app = document.getElementById("app");
    var header = el("header", { class: "top" });
    header.appendChild(el("h1", {}, spec.title));
    var controls = el("div", { class: "controls" });
    params.forEach(function (p) {
      var label = el("label", { for: p.name, id: "control-" + p.name }, p.label);
      var select = el("select", { id: p.name, name: p.name });
      select.addEventListener("change", function () { change(p.name, select.value); });
      label.appendChild(select);
      controls.appendChild(label);
    });
    header.appendChild(controls);
    var nav = el("nav", { role: "tablist" });
    spec.sheets.forEach(function (sheet) {
      var tab = el("a", {
        href: "#sheet=" + sheet.id, id: "tab-" + sheet.id, role: "tab", "data-sheet": sheet.id,
      }, sheet.title);
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        change("sheet", sheet.id);
      });
      nav.appendChild(tab);
    });
    header.appendChild(nav);
    var print = el("button", { type: "button", class: "print" }, "Print");
    print.addEventListener("click", function () { window.print(); });
    header.appendChild(print);
    app.appendChild(header);
    if (spec.description) app.appendChild(el("p", { class: "description" }, spec.description));

    spec.sheets.forEach(function (sheet) {
      var section = el("section", { class: "sheet", id: "sheet-" + sheet.id });
      section.appendChild(el("h2", {}, sheet.title));
      var grid = el("div", { class: "grid" });
      sheet.visuals.forEach(function (v) {
        var card = el("article", {
          class: "visual visual-" + v.type, id: "visual-" + v.id, "data-query": v.query,
        });
        card.appendChild(el("h3", {}, v.title));
        var box;
        if (v.type === "table") {
          box = el("div", { class: "table-box" });
          var table = el("table");
          table.addEventListener("click", function (event) {
            var th = event.target.closest("th");
            if (th) sortBy(v, Number(th.getAttribute("data-column")));
          });
          table.addEventListener("keydown", function (event) {
            var th = event.target.closest("th");
            if (th && (event.key === "Enter" || event.key === " ")) {
              event.preventDefault();
              sortBy(v, Number(th.getAttribute("data-column")));
            }
          });
          box.appendChild(table);
          card.appendChild(box);
          if (v.footnote) card.appendChild(el("ol", { class: "notes", hidden: "" }));
        } else {
          var scroll = el("div", { class: "chart-scroll" });
          box = el("div", { class: "chart-box" });
          box.appendChild(el("canvas", { role: "img", "aria-label": v.title }));
          scroll.appendChild(box);
          card.appendChild(scroll);
        }
        card.appendChild(el("p", { class: "empty", hidden: "" }));
        grid.appendChild(card);
      });
      section.appendChild(grid);
      app.appendChild(section);
    });

    window.addEventListener("popstate", function () { apply(fromHash(), "none"); });
    window.addEventListener("hashchange", function () {
      if (window.location.hash !== toHash()) apply(fromHash(), "replace");
    });
    window.addEventListener("beforeprint", function () {
      document.body.classList.add("printing");
      draw(true);
    });
    window.addEventListener("afterprint", function () { document.body.classList.remove("printing"); });
    apply(fromHash(), "replace");
  }

  window.f1lakeDashboard = {
    charts: charts,
    state: function () { return Object.assign({}, state); },
    season: function () { return state[root]; },
    setSeason: function (season) { change(root, String(season)); },
    show: function (wanted) { apply(Object.assign({}, state, wanted), "push"); },
  };
  build();
})();
