/* f1lake season dashboard: draws the embedded, pre-shaped data with Chart.js. No network. */
(function () {
  "use strict";
  var PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
  ];
  var payload = JSON.parse(document.getElementById("f1lake-dashboard-data").textContent);
  var spec = payload.dashboard;
  var charts = {};
  var current = null;

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

  function colour(i) { return PALETTE[i % PALETTE.length]; }

  function styled(visual, datasets) {
    return datasets.map(function (d, i) {
      var c = colour(i);
      var out = { label: d.label, data: d.data.slice(), borderColor: c, backgroundColor: c };
      if (visual.type === "line") {
        out.borderWidth = 2;
        out.pointRadius = 2;
        out.tension = 0;
        out.spanGaps = false;
      }
      return out;
    });
  }

  function chartConfig(visual, shaped) {
    var yTitle = visual.y.length === 1 ? heading(visual, visual.y[0]) : "";
    return {
      type: visual.type,
      data: { labels: shaped.labels.slice(), datasets: styled(visual, shaped.datasets) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: visual.type === "line" ? "nearest" : "index", intersect: false },
        plugins: {
          legend: {
            display: visual.type === "line" ? true : visual.y.length > 1,
            position: visual.type === "line" ? "right" : "top",
          },
        },
        scales: {
          x: { title: { display: true, text: heading(visual, visual.x) }, ticks: { autoSkip: false } },
          y: {
            beginAtZero: true,
            ticks: { precision: 0 },
            title: { display: Boolean(yTitle), text: yTitle },
          },
        },
      },
    };
  }

  function isEmpty(visual, shaped) {
    return visual.type === "table" ? shaped.rows.length === 0 : shaped.labels.length === 0;
  }

  function fillTable(visual, table, shaped) {
    var numeric = shaped.columns.map(function (_c, j) {
      var seen = shaped.rows.filter(function (r) { return r[j] !== null; });
      return seen.length > 0 && seen.every(function (r) { return typeof r[j] === "number"; });
    });
    table.textContent = "";
    var head = el("thead");
    var tr = el("tr");
    shaped.columns.forEach(function (c, j) {
      tr.appendChild(el("th", numeric[j] ? { class: "num", scope: "col" } : { scope: "col" },
        heading(visual, c)));
    });
    head.appendChild(tr);
    table.appendChild(head);
    var body = el("tbody");
    shaped.rows.forEach(function (row) {
      var r = el("tr");
      row.forEach(function (v, j) { r.appendChild(el("td", numeric[j] ? { class: "num" } : {}, formatCell(v))); });
      body.appendChild(r);
    });
    table.appendChild(body);
  }

  function showVisual(visual, season) {
    var shaped = payload.visuals[String(season)][visual.id];
    var card = document.getElementById("visual-" + visual.id);
    var box = card.querySelector(".chart-box, .table-box");
    var note = card.querySelector(".empty");
    var empty = isEmpty(visual, shaped);
    box.hidden = empty;
    note.hidden = !empty;
    note.textContent = empty ? "No data for " + season + "." : "";
    if (visual.type === "table") {
      fillTable(visual, box.querySelector("table"), shaped);
      return;
    }
    var chart = charts[visual.id];
    if (!chart) {
      charts[visual.id] = new Chart(box.querySelector("canvas"), chartConfig(visual, shaped));
      return;
    }
    chart.data.labels = shaped.labels.slice();
    chart.data.datasets = styled(visual, shaped.datasets);
    chart.update();
  }

  function setSeason(season) {
    season = Number(season);
    if (payload.seasons.indexOf(season) < 0) return false;
    current = season;
    document.getElementById("season").value = String(season);
    document.title = spec.title + " " + season + " - f1lake";
    spec.sheets.forEach(function (sheet) {
      sheet.visuals.forEach(function (v) { showVisual(v, season); });
    });
    document.body.setAttribute("data-season", String(season));
    return true;
  }

  function seasonFromHash() {
    var m = /(?:^#|&)season=(\d+)/.exec(window.location.hash);
    return m ? Number(m[1]) : null;
  }

  function build() {
    var app = document.getElementById("app");
    var header = el("header", { class: "top" });
    header.appendChild(el("h1", {}, spec.title));
    var label = el("label", { for: "season" }, spec.parameter.label);
    var select = el("select", { id: "season", name: spec.parameter.name });
    payload.seasons.slice().reverse().forEach(function (s) {
      select.appendChild(el("option", { value: String(s) }, String(s)));
    });
    label.appendChild(select);
    header.appendChild(label);
    var nav = el("nav");
    spec.sheets.forEach(function (sheet) {
      nav.appendChild(el("a", { href: "#sheet-" + sheet.id }, sheet.title));
    });
    header.appendChild(nav);
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
          box.appendChild(el("table"));
        } else {
          box = el("div", { class: "chart-box" });
          box.appendChild(el("canvas", { role: "img", "aria-label": v.title }));
        }
        card.appendChild(box);
        card.appendChild(el("p", { class: "empty", hidden: "" }));
        grid.appendChild(card);
      });
      section.appendChild(grid);
      app.appendChild(section);
    });

    select.addEventListener("change", function () {
      setSeason(select.value);
      try {
        history.replaceState(null, "", "#season=" + select.value);
      } catch (_e) { /* some file:// contexts refuse it; the season still changes */ }
    });
    window.addEventListener("hashchange", function () {
      var s = seasonFromHash();
      if (s !== null && s !== current) setSeason(s);
    });
    var wanted = seasonFromHash();
    if (wanted === null || !setSeason(wanted)) setSeason(payload.default_season);
  }

  window.f1lakeDashboard = {
    charts: charts,
    season: function () { return current; },
    setSeason: setSeason,
  };
  build();
})();
