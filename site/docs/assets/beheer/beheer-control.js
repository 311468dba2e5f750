/* The staff page's checks (/beheer/), loaded only for a group that has them (docs/rights.md):
   the audit trail (beheer) and the figures for the annual report (procesregie, beheer).
   beheer.js loads this file after sign-in and hands over its API client (window.vhBeheer).
   - Every table can be downloaded as CSV, made here in the browser (nothing is stored).
   - Charts are inline SVG drawn here (no third-party code), each beside its data table.
   - No inline styles or handlers (strict CSP): only classes, hidden and ARIA change. */
(function () {
  "use strict";

  var page = window.vhBeheer;
  if (!page) return;
  var doc = document;
  var SVG = "http://www.w3.org/2000/svg";
  var MONTH = /^20\d{2}-(0[1-9]|1[0-2])$/;
  var REFERENCE = /^VH-[A-Z0-9]{4}-[A-Z0-9]{4}$/;
  var ACTIONS = {
    "inzien": "Ingezien", "contact": "Contact vastgelegd",
    "information-request": "Om informatie gevraagd", "information-received": "Informatie ontvangen",
    "schedule": "Geagendeerd", "decision": "Besluit vastgelegd", "close": "Afgesloten",
    "plan": "Plan vastgelegd", "exporteren": "Geëxporteerd voor het ketendossier",
    "verwijderen": "Gewist", "audit-inzien": "Audittrail van de aanmelding bekeken",
    "auditlog-inzien": "Audittrail bekeken"
  };
  var PERIODS = { "Q1": "1e kwartaal", "Q2": "2e kwartaal", "Q3": "3e kwartaal", "Q4": "4e kwartaal" };
  var MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
    "september", "oktober", "november", "december"];

  var byId = page.byId, make = page.make, clear = page.clear;  /* beheer.js's own helpers */
  function inGroups(node) {
    var allowed = (node.getAttribute("data-groups") || "").split(" ");
    return page.me.groups.some(function (g) { return allowed.indexOf(g) >= 0; });
  }
  function actionLabel(action) { return ACTIONS[action] || action; }
  function moment(text) {
    var date = new Date(text);
    if (isNaN(date.getTime())) return text || "";
    return date.getDate() + " " + MONTHS[date.getMonth()] + " " + date.getFullYear() + ", " +
      date.getHours() + "." + ("0" + date.getMinutes()).slice(-2) + " uur";
  }


  /* The sections' forms: markup of this module (the page itself stays small). */
  function field(id, label, input) {
    return '<div class="vh-field"><label for="' + id + '">' + label + "</label>" + input + "</div>";
  }
  function options(pairs) {
    return pairs.map(function (p) { return '<option value="' + p[0] + '">' + p[1] + "</option>"; }).join("");
  }
  function errorSummary(id) {
    return '<div class="vh-error-summary" role="alert" tabindex="-1" aria-labelledby="' + id +
      '" hidden><h3 id="' + id + '">Er is een probleem</h3><ul></ul></div>';
  }
  var BUTTON = '<div class="vh-actions"><button type="submit" class="md-button md-button--primary vh-button">';
  var AUDIT_FORM = '<h2 id="vh-audit-title">Audittrail</h2>' +
    "<p>Wie heeft wat ingezien of gedaan, wanneer en met welk doel. Wat iemand als toelichting " +
    "typte, ziet u alleen bij één aanmelding. Het bekijken van de audittrail komt zelf ook in de audittrail.</p>" +
    '<form id="vh-audit-form" class="vh-form" novalidate>' + errorSummary("vh-audit-errors") +
    '<p class="vh-hint" id="vh-audit-month-hint">Een maand als jaar-maand, bijvoorbeeld 2026-11. Hoogstens 12 maanden.</p>' +
    field("vh-audit-from", "Van maand", '<input type="month" id="vh-audit-from" name="van" required aria-describedby="vh-audit-month-hint">') +
    field("vh-audit-to", "Tot en met maand", '<input type="month" id="vh-audit-to" name="tot" required aria-describedby="vh-audit-month-hint">') +
    field("vh-audit-person", "Persoon (e-mailadres; leeg: iedereen)",
      '<input type="text" id="vh-audit-person" name="persoon" autocomplete="off" spellcheck="false" maxlength="254">') +
    field("vh-audit-action", "Actie", '<select id="vh-audit-action" name="actie">' +
      options([["", "Alle acties"]].concat(Object.keys(ACTIONS).map(function (a) { return [a, ACTIONS[a]]; }))) + "</select>") +
    field("vh-audit-reference", "Kenmerk van één aanmelding (leeg: alle aanmeldingen)",
      '<input type="text" id="vh-audit-reference" name="kenmerk" autocomplete="off" spellcheck="false" maxlength="20">') +
    BUTTON + "Audittrail tonen</button></div></form>" + '<div id="vh-audit-result"></div>';
  var FIGURES_FORM = '<h2 id="vh-figures-title">Cijfers voor het jaarverslag</h2>' +
    "<p>Aantallen zonder persoonsgegevens, per jaar, kwartaal of maand.</p>" +
    '<form id="vh-figures-form" class="vh-form vh-inline-form" novalidate>' + errorSummary("vh-figures-errors") +
    field("vh-figures-year", "Jaar", '<input type="text" inputmode="numeric" id="vh-figures-year" name="year" maxlength="4" required>') +
    field("vh-figures-period", "Periode", '<select id="vh-figures-period" name="periode">' +
      options([["", "Heel het jaar"]].concat(Object.keys(PERIODS).map(function (q) { return [q, PERIODS[q]]; }),
        MONTHS.map(function (m, i) { return [("0" + (i + 1)).slice(-2), m]; }))) + "</select>") +
    BUTTON + "Cijfers tonen</button></div></form>" + '<div id="vh-figures-result"></div>';

  /* ---- Errors of a form: one summary, each field marked ---- */
  function showErrors(form, problems) {
    var summary = form.querySelector(".vh-error-summary");
    var list = summary.querySelector("ul");
    clear(list);
    form.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid"); });
    problems.forEach(function (p) {
      var item = make("li");
      var link = make("a", "", p.message);
      link.href = "#" + p.id;
      item.appendChild(link);
      list.appendChild(item);
      byId(p.id).setAttribute("aria-invalid", "true");
    });
    summary.hidden = !problems.length;
    if (problems.length) summary.focus();
  }

  /* ---- CSV in the browser ---- */
  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;  /* never a formula in a spreadsheet */
    return /[";\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function csvLink(holder, name, header, rows, text) {
    var lines = [header].concat(rows).map(function (row) { return row.map(csvCell).join(";"); });
    var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var link = make("a", "md-button vh-button vh-download", text);
    link.href = URL.createObjectURL(blob);
    link.download = name;
    holder.appendChild(link);
  }

  function table(caption, header, rows) {
    var wrap = make("div", "vh-table-wrap");
    var node = make("table", "vh-table");
    node.appendChild(make("caption", "", caption));
    var head = make("tr");
    header.forEach(function (h) { var th = make("th", "", h); th.scope = "col"; head.appendChild(th); });
    node.appendChild(make("thead")).appendChild(head);
    var body = node.appendChild(make("tbody"));
    rows.forEach(function (row) {
      var tr = body.appendChild(make("tr"));
      row.forEach(function (cell, i) {
        var td = make(i ? "td" : "th", "", cell);
        if (!i) td.scope = "row";
        tr.appendChild(td);
      });
    });
    wrap.appendChild(node);
    return wrap;
  }

  /* ---- The audit trail ---- */
  var audit = byId("vh-audit");
  function showAudit(records, holder, withPurpose, title) {
    clear(holder);
    var header = ["Moment", "Kenmerk", "Wie", "Actie", "Doel"].concat(withPurpose ? ["Toelichting"] : []);
    var rows = records.map(function (r) {
      return [moment(r.at), r.reference || "", r.actor, actionLabel(r.action),
        ACTIONS[r.purpose_category] ? "Voor de actie zelf" : page.label("purpose", r.purpose_category)]
        .concat(withPurpose ? [r.purpose || ""] : []);
    });
    var count = make("p", "", records.length === 1 ? "1 regel gevonden." : records.length + " regels gevonden.");
    holder.appendChild(count);
    if (!records.length) return;
    holder.appendChild(table(title, header, rows));
    csvLink(holder, "audittrail.csv", ["moment", "kenmerk", "wie", "wie_id", "actie", "doel"]
      .concat(withPurpose ? ["toelichting"] : []), records.map(function (r) {
        return [r.at, r.reference || "", r.actor, r.actor_id, r.action, r.purpose_category]
          .concat(withPurpose ? [r.purpose || ""] : []);
      }), "Download de audittrail (CSV)");
  }
  if (audit && inGroups(audit)) {
    audit.innerHTML = AUDIT_FORM;  /* static markup of this module, nothing from outside */
    audit.hidden = false;
    var now = new Date();
    var thisMonth = now.getFullYear() + "-" + ("0" + (now.getMonth() + 1)).slice(-2);
    byId("vh-audit-from").value = thisMonth;
    byId("vh-audit-to").value = thisMonth;
    byId("vh-audit-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.currentTarget;
      var from = byId("vh-audit-from").value.trim();
      var to = byId("vh-audit-to").value.trim();
      var reference = byId("vh-audit-reference").value.trim().toUpperCase();
      var person = byId("vh-audit-person").value.trim();
      var action = byId("vh-audit-action").value;
      var problems = [];
      if (!MONTH.test(from)) problems.push({ id: "vh-audit-from", message: "Vul de eerste maand in als jaar-maand, bijvoorbeeld 2026-11." });
      if (!MONTH.test(to)) problems.push({ id: "vh-audit-to", message: "Vul de laatste maand in als jaar-maand, bijvoorbeeld 2026-12." });
      if (!problems.length && (to < from || (+to.slice(0, 4) * 12 + +to.slice(5)) - (+from.slice(0, 4) * 12 + +from.slice(5)) > 11)) {
        problems.push({ id: "vh-audit-to", message: "Kies een periode van 1 tot 12 maanden, met de eerste maand eerst." });
      }
      if (reference && !REFERENCE.test(reference)) problems.push({ id: "vh-audit-reference", message: "Een kenmerk ziet eruit als VH-7K3M-Q9TX." });
      showErrors(form, problems);
      if (problems.length) return;
      var holder = byId("vh-audit-result");
      var request = reference
        ? page.api("GET", "/registrations/" + encodeURIComponent(reference) + "/audit").then(function (records) {
          records.forEach(function (r) { r.reference = reference; });
          return records.filter(function (r) {
            var month = r.at.slice(0, 7);
            return month >= from && month <= to && (!action || r.action === action) &&
              (!person || r.actor === person || r.actor_id === person);
          });
        })
        : page.api("GET", "/audit?" + new URLSearchParams({ van: from, tot: to, persoon: person, actie: action }));
      request.then(function (records) {
        showAudit(records, holder, !!reference, reference ? "Audittrail van " + reference : "Audittrail van " + from + " tot en met " + to);
        page.announce(records.length + " regels in de audittrail gevonden. Dit bekijken staat zelf ook in de audittrail.");
      }, function (problem) { if (problem.status !== 401) page.announce(problem.message); });
    });
  }

  /* ---- The figures ---- */
  var figures = byId("vh-figures");
  function barChart(title, pairs) {
    var max = Math.max.apply(null, pairs.map(function (p) { return p[1]; }).concat([1]));
    var rowHeight = 28;
    var svg = doc.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 640 " + (pairs.length * rowHeight + 8));
    svg.setAttribute("class", "vh-chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Staafdiagram: " + title + ". De getallen staan in de tabel ernaast.");
    pairs.forEach(function (pair, i) {
      var y = i * rowHeight + 4;
      var name = doc.createElementNS(SVG, "text");
      name.setAttribute("x", "0");
      name.setAttribute("y", String(y + 18));
      name.textContent = pair[0].length > 30 ? pair[0].slice(0, 29) + "…" : pair[0];
      var bar = doc.createElementNS(SVG, "rect");
      bar.setAttribute("x", "240");
      bar.setAttribute("y", String(y + 4));
      bar.setAttribute("height", "18");
      bar.setAttribute("width", String(Math.max(1, Math.round(340 * pair[1] / max))));
      bar.setAttribute("class", "vh-bar");
      var value = doc.createElementNS(SVG, "text");
      value.setAttribute("x", String(248 + Math.round(340 * pair[1] / max)));
      value.setAttribute("y", String(y + 18));
      value.textContent = String(pair[1]);
      svg.appendChild(name);
      svg.appendChild(bar);
      svg.appendChild(value);
    });
    return svg;
  }
  function breakdown(holder, title, kind, counts) {
    var pairs = Object.keys(counts).sort().map(function (key) {
      return [kind === "month" ? MONTHS[+key.slice(5) - 1] + " " + key.slice(0, 4) : (page.label(kind, key) || key), counts[key]];
    });
    var figure = make("div", "vh-figure");
    figure.appendChild(make("h3", "", title));
    if (!pairs.length) { figure.appendChild(make("p", "", "Geen aanmeldingen in deze periode.")); holder.appendChild(figure); return; }
    var sideBySide = make("div", "vh-figure-body");
    sideBySide.appendChild(barChart(title, pairs));
    sideBySide.appendChild(table(title, ["Soort", "Aantal"], pairs));
    figure.appendChild(sideBySide);
    holder.appendChild(figure);
  }
  if (figures && inGroups(figures)) {
    figures.innerHTML = FIGURES_FORM;
    figures.hidden = false;
    byId("vh-figures-year").value = String(new Date().getFullYear());
    byId("vh-figures-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.currentTarget;
      var year = byId("vh-figures-year").value.trim();
      var period = byId("vh-figures-period").value;
      if (!/^20\d{2}$/.test(year)) {
        showErrors(form, [{ id: "vh-figures-year", message: "Vul een jaar in, bijvoorbeeld 2026." }]);
        return;
      }
      showErrors(form, []);
      page.api("GET", "/figures?" + new URLSearchParams({ year: year, periode: period })).then(function (data) {
        var holder = byId("vh-figures-result");
        clear(holder);
        var when = (period ? (PERIODS[period] || MONTHS[+period - 1]) + " " : "") + year;
        var share = data.contacted_within_term_share === null ? "geen aanmeldingen"
          : Math.round(data.contacted_within_term_share * 100) + "%";
        var median = data.median_days_to_decision === null ? "nog geen besluiten"
          : String(data.median_days_to_decision).replace(".", ",") + " dagen";
        var totals = [["Aanmeldingen", String(data.total)],
          ["Contact gelegd binnen de belofte", share],
          ["Mediaan van de dagen tot een besluit", median]];
        holder.appendChild(make("h3", "", "Cijfers over " + when));
        holder.appendChild(table("Totalen over " + when, ["Cijfer", "Waarde"], totals));
        breakdown(holder, "Aanmeldingen per soort organisatie", "partner", data.per_partner);
        breakdown(holder, "Aanmeldingen per urgentie", "urgency", data.per_urgency);
        breakdown(holder, "Besluiten per uitkomst", "outcome", data.per_outcome);
        breakdown(holder, "Aanmeldingen per maand", "month", data.per_month);
        var rows = totals.map(function (t) { return ["totaal", t[0], t[1]]; });
        [["organisatie", data.per_partner], ["urgentie", data.per_urgency], ["uitkomst", data.per_outcome], ["maand", data.per_month]]
          .forEach(function (part) {
            Object.keys(part[1]).sort().forEach(function (key) { rows.push([part[0], key, part[1][key]]); });
          });
        csvLink(holder, "cijfers-" + year + (period ? "-" + period : "") + ".csv", ["onderdeel", "soort", "waarde"], rows,
          "Download de cijfers (CSV)");
        page.announce("De cijfers over " + when + " staan op de pagina.");
      }, function (problem) { if (problem.status !== 401) page.announce(problem.message); });
    });
  }
})();
