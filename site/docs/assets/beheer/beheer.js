/* The staff page (/beheer/): sign-in state, the triage agenda and queue, a case opened for a
   stated purpose, the actions on a case, and the printed agenda.
   - The session is an HttpOnly cookie: this script never sees a token. It stores nothing in
     the browser (no localStorage, sessionStorage, IndexedDB or cookies of its own), and it
     removes every personal detail from the page on sign-out and when the page is left.
   - Every request goes to this site's own /api/admin/*; the answers are not cached.
   - No inline styles or handlers (strict CSP): only classes, hidden and ARIA change. */
(function () {
  "use strict";

  var doc = document;
  var root = doc.getElementById("vh-admin");
  if (!root) return;

  var API = root.getAttribute("data-api");
  var PRINT_PURPOSE = { purpose_category: "triage", purpose: "Afdrukken triage-agenda" };
  var REFERENCE = /^VH-[A-Z0-9]{4}-[A-Z0-9]{4}$/;
  var MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
    "september", "oktober", "november", "december"];
  var DAYS = ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"];

  function byId(id) { return doc.getElementById(id); }
  function all(node, selector) { return Array.prototype.slice.call(node.querySelectorAll(selector)); }
  function make(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  /* Dutch labels of every value id, rendered into the page at build time from the models. */
  var LABELS = {};
  all(byId("vh-labels").content, "[data-kind]").forEach(function (group) {
    var map = LABELS[group.getAttribute("data-kind")] = {};
    all(group, "data").forEach(function (item) { map[item.value] = item.textContent; });
  });
  function label(kind, value) {
    if (value === null || value === undefined || value === "") return "";
    return (LABELS[kind] || {})[value] || String(value);
  }
  function yesNo(value) { return value ? "Ja" : "Nee"; }

  /* "2026-12-03" -> "donderdag 3 december 2026"; a timestamp -> "3 december 2026, 14.05 uur". */
  function dutchDate(text, weekday) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    if (!match) return text || "";
    var date = new Date(+match[1], +match[2] - 1, +match[3]);
    return (weekday ? DAYS[date.getDay()] + " " : "") + date.getDate() + " " +
      MONTHS[date.getMonth()] + " " + date.getFullYear();
  }
  /* A promised day ("uiterlijk maandag 4 januari 2027"): the date of the timestamp on the
     Amsterdam clock, never a minute. */
  function dutchPromise(text) {
    var date = new Date(text);
    if (isNaN(date.getTime())) return text || "";
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit" })
        .formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    } catch (e) {
      return dutchMoment(text, false);
    }
    return dutchDate(parts.year + "-" + parts.month + "-" + parts.day, true);
  }
  function dutchMoment(text, withTime) {
    var date = new Date(text);
    if (isNaN(date.getTime())) return text || "";
    var day = date.getDate() + " " + MONTHS[date.getMonth()] + " " + date.getFullYear();
    if (!withTime) return day;
    return day + ", " + date.getHours() + "." + ("0" + date.getMinutes()).slice(-2) + " uur";
  }

  var views = {
    loading: byId("vh-loading"),
    signedOut: byId("vh-signed-out"),
    signedIn: byId("vh-signed-in"),
    overview: byId("vh-overview"),
    kase: byId("vh-case")
  };
  var statusBox = byId("vh-status");
  var state = { me: null, agenda: null, sort: { key: "urgency", descending: true },
    reference: "", purpose: "", entry: null, names: null };

  function announce(text) {
    statusBox.textContent = "";
    window.setTimeout(function () { statusBox.textContent = text; }, 50);
  }

  /* ---- The API ---- */
  function Problem(status, body) {
    this.status = status;
    this.message = (body && body.message) || "Er ging iets mis. Probeer het opnieuw.";
    this.errors = (body && body.errors) || [];
  }

  var OFFLINE = { message: "Er is geen verbinding met de server. Probeer het opnieuw." };
  var NOT_SIGNED_IN = "U bent niet (meer) ingelogd. Log opnieuw in.";

  /* ---- The session of a working day ----
     The ID token lives a few minutes; the sign-in function renews it with the refresh token
     it keeps sealed in an HttpOnly cookie. The page renews before the token runs out (the
     readable cookie says when) and once more on a 401; one renewal at a time. When the
     session has ended (30 minutes idle, 10 hours, signed out) the answer says why. */
  var renewing = null;
  function tokenEnds() {
    var found = doc.cookie.split(/;\s*/).filter(function (c) { return c.indexOf(SIGNED_IN + "=") === 0; })[0];
    return found ? (parseInt(found.slice(SIGNED_IN.length + 1), 10) || 0) * 1000 : 0;
  }
  function renew() {
    if (!renewing) {
      renewing = fetch(API + "/auth/refresh", { method: "POST", credentials: "same-origin",
        cache: "no-store", headers: { Accept: "application/json" } }).then(function (response) {
        if (response.ok) return true;
        return response.json().catch(function () { return null; }).then(function (data) {
          throw new Problem(401, { message: (data && data.message) || NOT_SIGNED_IN });
        });
      }, function () { throw new Problem(0, OFFLINE); });
      renewing.then(function () { renewing = null; }, function () { renewing = null; });
    }
    return renewing;
  }
  function sessionEnded(problem) {
    if (problem.status === 401) signedOut(problem.message);
    throw problem;
  }

  function send(method, path, body, retry) {
    var options = { method: method, credentials: "same-origin", cache: "no-store",
      headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(API + path, options).then(function (response) {
      if (response.status === 401 && retry) {
        return renew().then(function () { return send(method, path, body, false); }, sessionEnded);
      }
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (response.status === 401) sessionEnded(new Problem(401, { message: NOT_SIGNED_IN }));
        if (!response.ok) throw new Problem(response.status, data);
        return data;
      });
    }, function () {
      throw new Problem(0, OFFLINE);
    });
  }
  function api(method, path, body) {
    var due = tokenEnds() - 30000 <= Date.now();
    return (due ? renew().then(null, sessionEnded) : Promise.resolve()).then(function () {
      return send(method, path, body, true);
    });
  }

  /* ---- Personal data leaves the page ---- */
  function forgetCase() {
    clear(byId("vh-case-body"));
    byId("vh-case-body").hidden = true;
    byId("vh-actions").hidden = true;
    all(root, "form.vh-action").forEach(function (form) { form.reset(); hideErrors(form); });
    byId("vh-purpose-form").reset();
    forgetPlan();
    forgetExport();
    state.entry = null;
    state.purpose = "";
  }
  function forgetNames() {
    state.names = null;
    if (state.agenda) renderAgenda();
  }
  function forgetAll() {
    forgetCase();
    ["vh-audit-result", "vh-figures-result"].forEach(function (id) { if (byId(id)) clear(byId(id)); });
    state.names = null;
    state.agenda = null;
    state.me = null;
    ["vh-agenda", "vh-open", "vh-due", "vh-user", "vh-role", "vh-agenda-date",
      "vh-agenda-fixed", "vh-case-ref"].forEach(function (id) { clear(byId(id)); });
    byId("vh-print-names").checked = false;
  }

  function show(name) {
    Object.keys(views).forEach(function (key) {
      if (key !== "overview" && key !== "kase") views[key].hidden = key !== name;
    });
  }

  /* Set with the session at sign-in, readable here (the session itself is not): without it
     nobody signed in on this browser, and the API is not asked (it would answer 401). */
  var SIGNED_IN = "__Host-vh-signed-in";
  function mayBeSignedIn() { return tokenEnds() > 0; }
  /* A link to a case (/beheer/#VH-...) survives signing in: the sign-in takes the reference
     along and comes back to it. Nothing is kept in the browser. */
  function keepDeepLink() {
    var reference = decodeURIComponent(window.location.hash.slice(1));
    var login = byId("vh-login");
    if (login) {
      login.href = "/api/admin/auth/login" +
        (REFERENCE.test(reference) ? "?aanmelding=" + encodeURIComponent(reference) : "");
    }
  }

  function signedOut(message) {
    keepDeepLink();
    forgetAll();
    document.cookie = SIGNED_IN + "=; Max-Age=0; Path=/; Secure; SameSite=Strict";
    show("signedOut");
    if (message) announce(message);
  }

  /* ---- Tables of the queue ---- */
  function byReceived(a, b) {
    return a.received_at < b.received_at ? -1 : a.received_at > b.received_at ? 1 : 0;
  }
  function urgent(entry) { return entry.urgency === "spoed" ? 1 : 0; }

  /* Received: ascending is the oldest first. Urgency: descending is spoed first (then the
     oldest first within each group). */
  function sorted(entries, sort) {
    var sign = sort.descending ? -1 : 1;
    return entries.slice().sort(sort.key === "urgency"
      ? function (a, b) { return sign * (urgent(a) - urgent(b)) || byReceived(a, b); }
      : function (a, b) { return sign * byReceived(a, b); });
  }

  var COLUMNS = [
    ["reference", "Kenmerk"],
    ["received", "Ontvangen"],
    ["urgency", "Urgentie"],
    ["status", "Status"],
    ["contacted", "Contact gelegd"],
    ["verified", "E-mailadres van de gekozen organisatie"],
    ["criteria", "Voldoet aan criteria"],
    ["organisation", "Organisatie aanmelder"],
    ["persons", "Betrokkenen"]
  ];

  function cell(entry, key) {
    switch (key) {
      case "received": return dutchMoment(entry.received_at, false);
      case "urgency": return label("urgency", entry.urgency);
      case "status":
        return label("status", entry.status) +
          (entry.outcome ? ": " + label("outcome", entry.outcome) : "");
      case "contacted": return yesNo(entry.contacted);
      case "verified": return yesNo(entry.address_matches_organisation);
      case "criteria": return yesNo(entry.criteria_met);
      case "organisation": return label("partner", entry.registrant_organisation);
      case "persons": return String(entry.person_count);
      case "waiting": return String(entry.working_days_since_receipt);
      case "promise": return promiseText(entry.working_days_to_promise);
      case "triage": return entry.triage_date ? dutchDate(entry.triage_date, false) : "Nog in te plannen";
      case "plan": return entry.plan_open_actions
        ? entry.plan_open_actions + ", eerste uiterlijk " + dutchDate(entry.plan_next_due, false) : "Geen";
      default: return "";
    }
  }

  /* An accessible table: caption, th scope, sort buttons with aria-sort. */
  function table(caption, entries, options) {
    var wrap = make("div", "vh-table-wrap");
    if (!entries.length) {
      wrap.appendChild(make("p", null, options.empty));
      return wrap;
    }
    var sort = options.sort;
    var list = sort ? sorted(entries, sort) : entries;
    var element = make("table", "vh-table");
    var captionNode = make("caption", null, caption);
    captionNode.id = options.id + "-caption";
    element.appendChild(captionNode);
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-labelledby", captionNode.id);
    wrap.tabIndex = 0;
    var head = make("thead");
    var row = make("tr");
    var columns = (options.columns || COLUMNS).slice();
    if (options.names) columns.splice(1, 0, ["name", "Hoofdbetrokkene"]);
    columns.forEach(function (column) {
      var th = make("th");
      th.scope = "col";
      if (sort && (column[0] === "received" || column[0] === "urgency")) {
        var active = sort.key === column[0];
        if (active) th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
        var button = make("button", "vh-sort", column[1]);
        button.type = "button";
        button.setAttribute("data-sort", column[0]);
        var hint = make("span", "vh-visually-hidden",
          column[0] === "urgency" ? (active && sort.descending ? ", sorteer spoed onderaan" : ", sorteer spoed bovenaan")
            : (active && !sort.descending ? ", sorteer nieuwste eerst" : ", sorteer oudste eerst"));
        button.appendChild(hint);
        button.addEventListener("click", function () {
          var descending = column[0] === "urgency";
          if (sort.key === column[0]) descending = !sort.descending;
          options.onSort({ key: column[0], descending: descending });
        });
        th.appendChild(button);
      } else {
        th.textContent = column[1];
      }
      row.appendChild(th);
    });
    head.appendChild(row);
    element.appendChild(head);
    var body = make("tbody");
    list.forEach(function (entry) {
      var tr = make("tr");
      if (entry.urgency === "spoed") tr.className = "vh-urgent";
      columns.forEach(function (column) {
        var td;
        if (column[0] === "reference") {
          td = make("th");
          td.scope = "row";
          var link = make("a", null, entry.reference);
          link.href = "#" + entry.reference;
          td.appendChild(link);
        } else if (column[0] === "name") {
          td = make("td", null, (options.names || {})[entry.reference] || "");
        } else {
          td = make("td", null, cell(entry, column[0]));
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    element.appendChild(body);
    wrap.appendChild(element);
    return wrap;
  }

  function renderAgenda() {
    var holder = byId("vh-agenda");
    var agenda = state.agenda;
    clear(holder);
    if (!agenda) return;
    holder.appendChild(table(agenda.triage_date
      ? "Aanmeldingen voor de triage van " + dutchDate(agenda.triage_date, true)
      : "Geagendeerde aanmeldingen, op datum van de triage",
      agenda.entries, {
        id: "vh-agenda-table",
        empty: "Er staan nog geen aanmeldingen op deze agenda.",
        columns: agenda.triage_date ? COLUMNS : SCHEDULED_COLUMNS,
        sort: agenda.triage_date ? state.sort : null,  /* else: by triage date */
        names: state.names,
        onSort: function (sort) {
          state.sort = sort;
          renderAgenda();
          var button = holder.querySelector("[data-sort='" + sort.key + "']");
          if (button) button.focus();
          announce("De agenda is gesorteerd op " + (sort.key === "urgency" ? "urgentie" : "ontvangst") + ".");
        }
      }));
  }

  /* One request after the other, never in parallel: the API is mostly cold (a few
     registrations a week), and one warm function answers the next request faster than a
     second cold one would. */
  function inTurn(jobs) {
    return jobs.reduce(function (done, job) { return done.then(job); }, Promise.resolve());
  }

  /* Runs jobs with at most `width` under way at once; rejects with the first problem. */
  function fewAtATime(jobs, width) {
    var next = 0;
    function lane() {
      if (next >= jobs.length) return Promise.resolve();
      var job = jobs[next++];
      return job().then(lane);
    }
    var lanes = [];
    for (var i = 0; i < Math.min(width, jobs.length); i++) lanes.push(lane());
    return Promise.all(lanes);
  }

  function loadOverview() {
    var me = state.me;
    var date = me.upcoming_triage;
    var planned = date !== "te-plannen";
    byId("vh-agenda-date").textContent = planned ? dutchDate(date, true) : "";
    var jobs = [];
    if (planned) {
      jobs.push(function () {
        return api("GET", "/agenda/" + date + "?sort=urgency").then(function (agenda) {
          state.agenda = agenda;
          byId("vh-agenda-fixed").textContent = agenda.fixed
            ? "De agenda is vastgesteld op " + dutchMoment(agenda.fixed_at, true) + "."
            : "De agenda is nog niet vastgesteld: er kunnen nog aanmeldingen bij komen.";
          renderAgenda();
        });
      });
    } else {
      /* No weekly meeting: the agenda is every case scheduled for a triage, by its date. */
      byId("vh-agenda-fixed").textContent = "Dit Veiligheidshuis plant de triage per aanmelding. Hieronder staan alle geagendeerde aanmeldingen, op datum van de triage.";
      jobs.push(function () {
        return api("GET", "/cases?status=scheduled").then(function (found) {
          state.agenda = { triage_date: null, entries: found.cases.slice().sort(byTriageDate) };
          renderAgenda();
        });
      });
    }
    /* A search or filter made meanwhile is what the person wants: the reload leaves it. */
    var intent = openAsked;
    jobs.push(function () { return openAsked === intent ? loadOpenCases({}) : null; });
    return inTurn(jobs).catch(function (problem) {
      if (problem.status !== 401) announce(problem.message);
    });
  }

  /* ---- The overview of every open case (GET /cases): search, filters, actions due ---- */
  var SCHEDULED_COLUMNS = [["reference", "Kenmerk"], ["triage", "Triage"], ["received", "Ontvangen"],
    ["urgency", "Urgentie"], ["contacted", "Contact gelegd"], ["criteria", "Voldoet aan criteria"],
    ["organisation", "Organisatie aanmelder"], ["persons", "Betrokkenen"]];
  var OPEN_COLUMNS = [["reference", "Kenmerk"], ["received", "Ontvangen"],
    ["waiting", "Werkdagen sinds ontvangst"], ["promise", "Belofte aan de aanmelder"],
    ["urgency", "Urgentie"], ["triage", "Triage"], ["organisation", "Organisatie aanmelder"],
    ["contacted", "Contact gelegd"], ["plan", "Open acties in het plan"]];

  function byTriageDate(a, b) {
    var x = a.triage_date || "", y = b.triage_date || "";
    return x < y ? -1 : x > y ? 1 : urgent(b) - urgent(a) || byReceived(a, b);
  }
  function plural(count, one, more) { return count + " " + (count === 1 ? one : more); }
  /* Working days left to the promised day: null when the promise was kept. */
  function promiseText(left) {
    if (left === null || left === undefined) return "Nagekomen";
    if (left > 0) return "Nog " + plural(left, "werkdag", "werkdagen");
    if (left === 0) return "Vandaag de laatste dag";
    return plural(-left, "werkdag", "werkdagen") + " te laat";
  }

  function query(params) {
    var parts = Object.keys(params).filter(function (key) { return params[key]; })
      .map(function (key) { return key + "=" + encodeURIComponent(params[key]); });
    return parts.length ? "?" + parts.join("&") : "";
  }

  /* The triage dates of the open cases, offered in the filter (kept across filtering). */
  function addTriageDates(entries) {
    var select = byId("vh-filter-triage");
    var known = all(select, "option").map(function (option) { return option.value; });
    entries.forEach(function (entry) {
      var date = entry.triage_date;
      if (!date || known.indexOf(date) >= 0) return;
      known.push(date);
      var option = make("option", null, dutchDate(date, true));
      option.value = date;
      var later = all(select, "option").filter(function (o) { return /^\d/.test(o.value) && o.value > date; })[0];
      select.insertBefore(option, later || null);
    });
  }

  function renderDue(due) {
    var holder = byId("vh-due");
    clear(holder);
    if (!due.length) return;
    holder.appendChild(make("h3", null, "Acties uit een plan die binnenkort of te laat zijn"));
    var list = make("ul", "vh-due-list");
    due.forEach(function (item) {
      var li = make("li");
      var link = make("a", null, item.reference);
      link.href = "#" + item.reference;
      li.appendChild(link);
      li.appendChild(doc.createTextNode(": " + plural(item.open_actions, "open actie", "open acties") +
        ", de eerste uiterlijk " + dutchDate(item.due, true) + (item.overdue ? " (te laat)" : "")));
      list.appendChild(li);
    });
    holder.appendChild(list);
  }

  function renderOpen(found, searched) {
    var holder = byId("vh-open");
    clear(holder);
    var statuses = Object.keys(LABELS.status || {});
    var counts = statuses.filter(function (s) { return found.counts[s]; })
      .map(function (s) { return label("status", s) + ": " + found.counts[s]; });
    holder.appendChild(make("p", "vh-counts", found.cases.length
      ? plural(found.cases.length, "aanmelding", "aanmeldingen") + (counts.length ? " (" + counts.join(", ") + ")" : "") +
        ". Open in totaal: " + found.open_total + "."
      : searched ? "Geen aanmelding gevonden met kenmerk " + searched + "."
        : "Er zijn geen open aanmeldingen die bij de filters passen."));
    statuses.forEach(function (status) {
      var entries = found.cases.filter(function (entry) { return entry.status === status; });
      if (!entries.length) return;
      holder.appendChild(table(label("status", status) + " (" + entries.length + ")", entries,
        { id: "vh-open-" + status, columns: OPEN_COLUMNS, empty: "" }));
    });
  }

  /* The latest request wins: a search made while the overview still loads is not
     overwritten by the overview's answer arriving later. */
  var openAsked = 0;
  function loadOpenCases(params) {
    var asked = ++openAsked;
    return api("GET", "/cases" + query(params)).then(function (found) {
      if (asked !== openAsked) return null;  /* a later request answers instead */
      if (!params.status && !params.reference) addTriageDates(found.cases);
      renderDue(found.due_actions);
      renderOpen(found, params.reference);
      return found;
    });
  }

  function filters() {
    var params = {};
    all(byId("vh-filter-form"), "select").forEach(function (select) { params[select.name] = select.value; });
    return params;
  }

  function showFound(params, searched) {
    loadOpenCases(params).then(function (found) {
      if (!found) return;
      announce(searched && !found.cases.length ? "Geen aanmelding gevonden met kenmerk " + searched + "."
        : plural(found.cases.length, "aanmelding", "aanmeldingen") + " gevonden.");
    }, function (problem) { if (problem.status !== 401) announce(problem.message); });
  }

  byId("vh-filter-form").addEventListener("submit", function (event) {
    event.preventDefault();
    byId("vh-search").value = "";
    showFound(filters());
  });
  byId("vh-filter-form").addEventListener("reset", function () {
    window.setTimeout(function () { showFound({}); }, 0);
  });
  byId("vh-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = byId("vh-search");
    var reference = input.value.trim().toUpperCase();
    if (!/^[A-Z0-9-]{1,14}$/.test(reference)) {
      announce("Vul een kenmerk in, of een deel ervan: letters, cijfers en streepjes.");
      input.focus();
      return;
    }
    all(byId("vh-filter-form"), "select").forEach(function (select) { select.value = ""; });
    showFound({ reference: reference }, reference);
  });

  /* ---- The plan after triage (POST .../plan): shown on the case, kept by procesregie ---- */
  var planForm = byId("vh-plan-form");
  var planRows = byId("vh-plan-actions");

  function today() {
    var now = new Date();
    return now.getFullYear() + "-" + ("0" + (now.getMonth() + 1)).slice(-2) + "-" + ("0" + now.getDate()).slice(-2);
  }

  function renderPlan(body, plan) {
    section(body, "Plan van aanpak", definitionList([
      ["Doel", plan.goal],
      ["Casusregisseur", plan.case_director]
    ]));
    if (!plan.actions.length) { body.appendChild(make("p", null, "Nog geen acties afgesproken.")); return; }
    var wrap = make("div", "vh-table-wrap");
    var element = make("table", "vh-table");
    element.appendChild(make("caption", null, "Acties van het plan"));
    var head = make("tr");
    ["Actie", "Wie", "Uiterlijk", "Stand"].forEach(function (name) {
      var th = make("th", null, name);
      th.scope = "col";
      head.appendChild(th);
    });
    element.appendChild(make("thead")).appendChild(head);
    var rows = element.appendChild(make("tbody"));
    var now = today();
    plan.actions.forEach(function (action) {
      var tr = rows.appendChild(make("tr"));
      var th = tr.appendChild(make("th", "vh-history-reason", action.text));
      th.scope = "row";
      tr.appendChild(make("td", null, action.owner));
      tr.appendChild(make("td", null, dutchDate(action.due, true)));
      tr.appendChild(make("td", null, action.done ? "Gedaan" : action.due < now ? "Open, te laat" : "Open"));
    });
    wrap.appendChild(element);
    body.appendChild(wrap);
  }

  function planField(row, index, name, labelText, input) {
    var id = "vh-plan-" + index + "-" + name;
    var div = make("div", input.type === "checkbox" ? "vh-option" : "vh-field");
    var labelNode = make("label", null, labelText);
    labelNode.htmlFor = id;
    input.id = id;
    input.name = "actions." + index + "." + name;
    if (input.type === "checkbox") { div.appendChild(input); div.appendChild(labelNode); }
    else { div.appendChild(labelNode); div.appendChild(input); }
    row.appendChild(div);
    return input;
  }

  function addPlanRow(action) {
    var index = planRows.children.length;
    var row = make("fieldset", "vh-field vh-plan-action");
    row.appendChild(make("legend", "vh-question", "Actie " + (index + 1)));
    var text = planField(row, index, "text", "Wat moet er gebeuren?", make("textarea"));
    text.rows = 2;
    text.maxLength = 1000;
    text.setAttribute("minlength", "3");
    text.setAttribute("data-label", "wat er moet gebeuren bij actie " + (index + 1));
    var owner = planField(row, index, "owner", "Wie doet het?", make("input"));
    owner.type = "text";
    owner.maxLength = 100;
    owner.setAttribute("minlength", "2");
    owner.autocomplete = "off";
    owner.setAttribute("data-label", "wie actie " + (index + 1) + " doet");
    var due = planField(row, index, "due", "Uiterlijk", make("input"));
    due.type = "date";
    due.setAttribute("data-label", "de datum van actie " + (index + 1));
    var done = make("input");
    done.type = "checkbox";
    planField(row, index, "done", "Gedaan", done);
    if (action) {
      text.value = action.text;
      owner.value = action.owner;
      due.value = action.due;
      done.checked = !!action.done;
    }
    var remove = make("button", "md-button vh-button", "Actie " + (index + 1) + " verwijderen");
    remove.type = "button";
    remove.addEventListener("click", function () {
      var kept = planActions().filter(function (a, i) { return i !== index; });
      fillPlanRows(kept);
      announce("Actie " + (index + 1) + " is verwijderd. Sla het plan op om dat vast te leggen.");
      byId("vh-plan-add").focus();
    });
    row.appendChild(remove);
    planRows.appendChild(row);
    return text;
  }

  function fillPlanRows(actions) {
    clear(planRows);
    actions.forEach(function (action) { addPlanRow(action); });
  }

  function planActions() {
    return all(planRows, "fieldset").map(function (row, index) {
      function value(name) { return row.querySelector("[name='actions." + index + "." + name + "']"); }
      return { text: value("text").value.trim(), owner: value("owner").value.trim(),
        due: value("due").value, done: value("done").checked };
    });
  }

  function forgetPlan() {
    planForm.reset();
    hideErrors(planForm);
    clear(planRows);
    planForm.hidden = true;
  }

  function updatePlan(entry, plan) {
    var groups = (state.me && state.me.groups) || [];
    var allowed = planForm.getAttribute("data-groups").split(" ");
    var takenOn = planForm.getAttribute("data-outcomes").split(" ").indexOf(entry.outcome) >= 0;
    var may = entry.status === "decided" && takenOn &&
      allowed.some(function (g) { return groups.indexOf(g) >= 0; });
    hideErrors(planForm);
    planForm.hidden = !may;
    if (!may) return;
    byId("vh-plan-goal").value = plan ? plan.goal : "";
    byId("vh-plan-director").value = plan ? plan.case_director : "";
    fillPlanRows(plan ? plan.actions : []);
    byId("vh-no-actions").hidden = true;
  }

  byId("vh-plan-add").addEventListener("click", function () {
    addPlanRow(null).focus();
  });

  planForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var problems = check(planForm);
    if (problems.length) { showErrors(planForm, problems); return; }
    hideErrors(planForm);
    busy(planForm, true);
    var body = { goal: byId("vh-plan-goal").value.trim(),
      case_director: byId("vh-plan-director").value.trim(), actions: planActions() };
    api("POST", "/registrations/" + encodeURIComponent(state.reference) + "/plan", body)
      .then(function (data) {
        renderCase(data);
        announce("Het plan van aanpak is vastgelegd.");
        byId("vh-case-title").focus();
      }, function (problem) {
        if (problem.status !== 401) showErrors(planForm, apiProblems(planForm, problem));
      })
      .then(function () { busy(planForm, false); });
  });

  /* ---- Export for the chain's case file (POST .../export): a JSON file and a printed summary ---- */
  var exportBox = byId("vh-export");
  var exportForm = byId("vh-export-form");
  var exportLink = byId("vh-export-download");
  var exportUrl = null;

  function forgetExport() {
    exportForm.reset();
    hideErrors(exportForm);
    byId("vh-export-result").hidden = true;
    if (exportUrl) URL.revokeObjectURL(exportUrl);
    exportUrl = null;
    exportLink.href = "#";
    exportBox.hidden = true;
    root.classList.remove("vh-print-case");
  }

  function updateExport() {
    var groups = (state.me && state.me.groups) || [];
    exportBox.hidden = !exportBox.getAttribute("data-groups").split(" ")
      .some(function (g) { return groups.indexOf(g) >= 0; });
  }

  exportForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var problems = check(exportForm);
    if (problems.length) { showErrors(exportForm, problems); return; }
    hideErrors(exportForm);
    busy(exportForm, true);
    var reference = state.reference;
    api("POST", "/registrations/" + encodeURIComponent(reference) + "/export",
      { purpose: byId("vh-export-purpose").value.trim() })
      .then(function (data) {
        renderCase(data["case"]);  /* the summary that prints is the case as exported */
        if (exportUrl) URL.revokeObjectURL(exportUrl);
        exportUrl = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
        exportLink.href = exportUrl;
        exportLink.setAttribute("download", reference + "-export.json");
        exportForm.reset();
        byId("vh-export-result").hidden = false;
        announce("De export is klaar. Download het JSON-bestand of druk de samenvatting af. De export staat in het auditlog.");
        exportLink.focus();
      }, function (problem) {
        if (problem.status !== 401) showErrors(exportForm, apiProblems(exportForm, problem));
      })
      .then(function () { busy(exportForm, false); });
  });

  byId("vh-export-print").addEventListener("click", function () {
    root.classList.add("vh-print-case");
    window.print();
  });
  window.addEventListener("afterprint", function () { root.classList.remove("vh-print-case"); });

  /* ---- Forms: the GOV.UK error summary ---- */
  function hideErrors(form) {
    var summary = form.querySelector(".vh-error-summary");
    summary.hidden = true;
    clear(summary.querySelector("ul"));
    all(form, ".vh-error-message").forEach(function (node) { node.parentNode.removeChild(node); });
    all(form, ".vh-invalid").forEach(function (node) { node.classList.remove("vh-invalid"); });
    all(form, "[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
      var described = (node.getAttribute("aria-describedby") || "").split(" ")
        .filter(function (id) { return id && !/-fout$/.test(id); }).join(" ");
      if (described) node.setAttribute("aria-describedby", described);
      else node.removeAttribute("aria-describedby");
    });
  }

  /* problems: [{field: element or null, message}] */
  function showErrors(form, problems) {
    hideErrors(form);
    var summary = form.querySelector(".vh-error-summary");
    var list = summary.querySelector("ul");
    problems.forEach(function (problem, index) {
      var item = make("li");
      var target = problem.field;
      if (target) {
        var link = make("a", null, problem.message);
        var focusable = target.tagName === "FIELDSET" ? target.querySelector("input") : target;
        link.href = "#" + focusable.id;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          focusable.focus();
        });
        item.appendChild(link);
        var container = target.tagName === "FIELDSET" ? target : target.closest(".vh-field");
        container.classList.add("vh-invalid");
        var message = make("p", "vh-error-message");
        message.id = (focusable.id || "vh-veld-" + index) + "-fout";
        message.appendChild(make("span", "vh-visually-hidden", "Fout: "));
        message.appendChild(doc.createTextNode(problem.message));
        var anchor = target.tagName === "FIELDSET" ? target.querySelector("legend") : container.querySelector("label");
        var hint = container.querySelector(".vh-hint:not(.vh-option-hint)");
        (hint || anchor).insertAdjacentElement("afterend", message);
        var inputs = target.tagName === "FIELDSET" ? all(target, "input") : [target];
        inputs.forEach(function (input) {
          input.setAttribute("aria-invalid", "true");
          var described = input.getAttribute("aria-describedby");
          input.setAttribute("aria-describedby", (described ? described + " " : "") + message.id);
        });
      } else {
        item.textContent = problem.message;
      }
      list.appendChild(item);
    });
    summary.hidden = false;
    summary.focus();
  }

  /* What the page checks itself, before the API does: required and lengths. */
  function check(form) {
    var problems = [];
    all(form, "[data-label]").forEach(function (field) {
      var name = field.getAttribute("data-label");
      if (field.tagName === "FIELDSET") {
        if (!field.querySelector("input:checked")) problems.push({ field: field, message: "Kies " + name + "." });
        return;
      }
      var value = field.value.trim();
      var min = +(field.getAttribute("minlength") || 0);
      var max = +(field.getAttribute("maxlength") || 0);
      if (!value) problems.push({ field: field, message: "Vul " + name + " in." });
      else if (min && value.length < min) problems.push({ field: field, message: "Schrijf voor " + name + " minstens " + min + " tekens." });
      else if (max && value.length > max) problems.push({ field: field, message: "Gebruik voor " + name + " hoogstens " + max + " tekens." });
      else if (field.type === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(value)) problems.push({ field: field, message: "Vul " + name + " in als een geldige datum." });
    });
    return problems;
  }

  /* The API's answer as problems of this form: 422 per field, 403/404/409 as one message. */
  function apiProblems(form, problem) {
    if (problem.status === 422 && problem.errors.length) {
      return problem.errors.map(function (error) {
        var path = String(error.field || "");
        var field = form.querySelector("[name='" + path + "']") ||
          form.querySelector("[name='" + path.split(".").pop() + "']");
        if (field && field.type === "radio") field = field.closest("fieldset");
        return { field: field, message: error.message };
      });
    }
    return [{ field: null, message: problem.message }];
  }

  function busy(form, on) {
    all(form, "button").forEach(function (button) { button.disabled = on; });
    form.setAttribute("aria-busy", on ? "true" : "false");
  }

  /* ---- A case ---- */
  function definitionList(rows) {
    var list = make("dl", "vh-answers");
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") return;
      var div = make("div", "vh-answer");
      div.appendChild(make("dt", null, row[0]));
      var dd = make("dd");
      if (Array.isArray(row[1])) {
        var ul = make("ul");
        row[1].forEach(function (text) { ul.appendChild(make("li", null, text)); });
        dd.appendChild(ul);
      } else {
        dd.textContent = String(row[1]);
      }
      div.appendChild(dd);
      list.appendChild(div);
    });
    return list;
  }

  function section(parent, title, content) {
    parent.appendChild(make("h3", null, title));
    parent.appendChild(content);
  }

  function renderCase(data) {
    var body = byId("vh-case-body");
    var entry = data.entry;
    var reg = data.registration || {};
    var registrant = reg.registrant || {};
    clear(body);
    state.entry = entry;
    section(body, "Stand van zaken", definitionList([
      ["Status", label("status", entry.status)],
      ["Uitkomst", label("outcome", entry.outcome)],
      ["Ontvangen", dutchMoment(entry.received_at, true)],
      ["Reageren uiterlijk", dutchPromise(entry.respond_by)],
      ["Triage", entry.triage_date ? dutchDate(entry.triage_date, true) : "Nog in te plannen"],
      ["Urgentie", label("urgency", entry.urgency)],
      ["Contact gelegd", yesNo(entry.contacted)],
      ["E-mailadres van de gekozen organisatie", yesNo(entry.address_matches_organisation)],
      ["Voldoet aan criteria", yesNo(entry.criteria_met)]
    ]));
    if (data.decision) {
      section(body, "Besluit", definitionList([
        ["Uitkomst", label("outcome", entry.outcome)],
        ["Advies", data.decision.advice],
        ["Procesregisseur", data.decision.process_director]
      ]));
    }
    if (data.plan) renderPlan(body, data.plan);
    section(body, "Aanmelder", definitionList([
      ["Organisatie", registrant.organisation === "anders" ? registrant.organisation_name
        : label("partner", registrant.organisation)],
      ["Naam", registrant.name],
      ["Functie", registrant.role],
      ["E-mailadres", registrant.email],
      ["Telefoon", registrant.phone],
      ["Bereikbaar", registrant.availability]
    ]));
    body.appendChild(make("h3", null, "Betrokkenen"));
    (reg.persons || []).forEach(function (person, index) {
      body.appendChild(make("h4", null, "Betrokkene " + (index + 1) + ": " + label("relation", person.relation)));
      body.appendChild(definitionList([
        ["Naam", [person.first_name, person.last_name].join(" ")],
        ["Geboortedatum", dutchDate(person.date_of_birth, false)],
        ["Woonplaats", person.residence],
        ["Adres", person.address]
      ]));
    });
    section(body, "Situatie", definitionList([
      ["Leefgebieden", (reg.life_domains || []).map(function (v) { return label("life_domain", v); })],
      ["Beschrijving", reg.description],
      ["Overlast, criminaliteit of uitval", (reg.concerns || []).length
        ? reg.concerns.map(function (v) { return label("concern", v); }) : "Geen"],
      ["Veiligheidsrisico's", reg.safety_risks],
      ["Urgentie", label("urgency", reg.urgency)],
      ["Reden voor spoed", reg.urgency_reason]
    ]));
    section(body, "Samenwerking", definitionList([
      ["Betrokken organisaties", (reg.involved_organisations || []).map(function (o) {
        return [o.organisation, o.contact_person, o.role].filter(Boolean).join(", ");
      })],
      ["Al geprobeerd", reg.tried],
      ["Hulpvraag", reg.question]
    ]));
    /* Each question as it was asked (the house's questions of that day), with the answer;
       an older registration kept only what was ticked. */
    var ticked = reg.criteria || [];
    var asked = data.criteria_asked || [];
    section(body, "Criteria", definitionList((asked.length
      ? asked.map(function (id, i) {
        return [(i + 1) + ". " + label("criterion", id), ticked.indexOf(id) >= 0 ? "Ja" : "Nee"];
      })
      : [["Aangevinkt", ticked.length
        ? ticked.map(function (v) { return label("criterion", v); }) : "Geen"]]
    ).concat([
      ["Voldoet aan de criteria (bij aanmelding)", yesNo(entry.criteria_met)],
      ["Toelichting", reg.criteria_explanation]
    ])));
    section(body, "Betrokkene geïnformeerd", definitionList([
      ["Geïnformeerd", label("informed", reg.informed)],
      ["Reden", label("not_informed_reason", reg.not_informed_reason)],
      ["Toelichting", reg.not_informed_explanation]
    ]));
    body.appendChild(make("h3", null, "Geschiedenis"));
    var history = data.history || [];
    if (!history.length) {
      body.appendChild(make("p", null, "Nog niets vastgelegd."));
    } else {
      var ol = make("ol", "vh-history");
      history.forEach(function (event) {
        var li = make("li");
        var change = event.from_status === event.to_status ? label("status", event.to_status)
          : label("status", event.from_status) + " → " + label("status", event.to_status);
        li.appendChild(make("strong", null, dutchMoment(event.at, true)));
        li.appendChild(doc.createTextNode(" — " + change + " — " + event.actor));
        li.appendChild(make("p", "vh-history-reason", event.reason));
        ol.appendChild(li);
      });
      body.appendChild(ol);
    }
    body.hidden = false;
    updateActions(entry.status);
    updatePlan(entry, data.plan);
    updateExport();
  }

  function updateActions(status) {
    var groups = (state.me && state.me.groups) || [];
    var shown = 0;
    all(root, "form.vh-action").forEach(function (form) {
      var from = form.getAttribute("data-from").split(" ");
      var allowed = (form.getAttribute("data-groups") || "").split(" ").filter(Boolean);
      var mayRole = !allowed.length || allowed.some(function (g) { return groups.indexOf(g) >= 0; });
      form.hidden = !(mayRole && from.indexOf(status) >= 0);
      if (!form.hidden) shown += 1;
    });
    byId("vh-no-actions").hidden = shown > 0;
    byId("vh-actions").hidden = false;
  }

  /* Reading a case decrypts it and is audited: a POST with the purpose, never a GET. */
  function readCase(reference, purpose) {
    return api("POST", "/registrations/" + encodeURIComponent(reference) + "/read", purpose);
  }

  function openCase(reference, purpose) {
    return readCase(reference, purpose).then(function (data) {
      state.purpose = purpose;
      renderCase(data);
      return data;
    });
  }

  function showCase(reference) {
    forgetCase();
    state.reference = reference;
    byId("vh-case-ref").textContent = reference;
    hideErrors(byId("vh-purpose-form"));
    byId("vh-purpose-form").hidden = false;
    views.overview.hidden = true;
    views.kase.hidden = false;
    doc.title = "Aanmelding " + reference + " - Beheer";
    byId("vh-case-title").focus();
  }

  function showOverview(focus) {
    forgetCase();
    state.reference = "";
    views.kase.hidden = true;
    views.overview.hidden = false;
    doc.title = baseTitle;
    if (focus) byId("vh-agenda-title").focus();
  }

  function route(focus) {
    if (!state.me || !state.me.reads) return;
    var reference = decodeURIComponent(window.location.hash.slice(1));
    if (REFERENCE.test(reference)) showCase(reference);
    else showOverview(focus);
  }

  /* ---- Wiring ---- */
  var baseTitle = doc.title;

  byId("vh-purpose-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.currentTarget;
    var problems = check(form);
    if (problems.length) { showErrors(form, problems); return; }
    hideErrors(form);
    busy(form, true);
    var chosen = form.querySelector("input[name='purpose_category']:checked");
    var purpose = { purpose_category: chosen.value, purpose: byId("vh-purpose").value.trim() };
    openCase(state.reference, purpose).then(function () {
      form.hidden = true;
      announce("Aanmelding " + state.reference + " is geopend. Dit staat in het auditlog.");
      byId("vh-case-title").focus();
    }, function (problem) {
      if (problem.status !== 401) showErrors(form, apiProblems(form, problem));
    }).then(function () { busy(form, false); });
  });

  var DONE = {
    "contact": "Het contact is vastgelegd.",
    "information-request": "De vraag om informatie is vastgelegd. De aanmelder krijgt een e-mail.",
    "information-received": "De ontvangen informatie is vastgelegd.",
    "schedule": "De aanmelding is geagendeerd.",
    "decision": "Het besluit is vastgelegd. De aanmelder krijgt een e-mail met de uitkomst.",
    "close": "De aanmelding is afgesloten."
  };

  /* Erasing (beheer): by reference, without opening the case, so nothing is decrypted. */
  var eraseForm = byId("vh-erase-form");
  eraseForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var input = byId("vh-erase-reference");
    input.value = input.value.trim().toUpperCase();
    var problems = check(eraseForm);
    if (!problems.length && !/^VH-[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(input.value)) {
      problems.push({ field: input, message: "Een kenmerk ziet eruit als VH-7K3M-Q9TX." });
    }
    if (problems.length) { showErrors(eraseForm, problems); return; }
    hideErrors(eraseForm);
    var chosen = eraseForm.querySelector("input[name=category]:checked");
    busy(eraseForm, true);
    api("POST", "/registrations/" + encodeURIComponent(input.value) + "/erase", { category: chosen.value })
      .then(function (data) {
        eraseForm.reset();
        announce("Aanmelding " + data.reference + " is verwijderd. In het auditlog staat dat u dit deed en waarom.");
      }, function (problem) {
        if (problem.status !== 401) showErrors(eraseForm, apiProblems(eraseForm, problem));
      })
      .then(function () { busy(eraseForm, false); });
  });

  all(root, "form.vh-action").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var problems = check(form);
      if (problems.length) { showErrors(form, problems); return; }
      hideErrors(form);
      var body = {};
      all(form, "input, textarea, select").forEach(function (field) {
        if (field.type === "checkbox") {
          /* A flag the API takes (data-flag), otherwise a confirmation for the page only. */
          if (field.hasAttribute("data-flag")) body[field.name] = field.checked;
          return;
        }
        if (field.type === "radio" && !field.checked) return;
        body[field.name] = field.value.trim();
      });
      var action = form.getAttribute("data-action");
      busy(form, true);
      api("POST", "/registrations/" + encodeURIComponent(state.reference) + "/" + action, body)
        .then(function (data) {
          form.reset();
          announce(DONE[action]);
          /* The answer is the case as it is now: the action was the audited reading. */
          return renderCase(data);
        })
        .then(function () { byId("vh-case-title").focus(); },
          function (problem) {
            if (problem.status !== 401) showErrors(form, apiProblems(form, problem));
          })
        .then(function () { busy(form, false); });
    });
  });

  byId("vh-back").addEventListener("click", function (event) {
    event.preventDefault();
    if (window.location.hash) window.history.pushState(null, "", window.location.pathname);
    showOverview(true);
    loadOverview();  /* the overview shows the cases as they are now */
  });

  window.addEventListener("hashchange", function () { keepDeepLink(); route(true); });

  /* Print: names only when asked for; each name is a read of the case, for that purpose. */
  function fetchNames() {
    var entries = state.agenda ? state.agenda.entries : [];
    var names = {};
    return fewAtATime(entries.map(function (entry) {
      return function () {
        return readCase(entry.reference, PRINT_PURPOSE).then(function (data) {
          var persons = data.registration.persons || [];
          var main = persons.filter(function (p) { return p.relation === "hoofdbetrokkene"; })[0] ||
            persons[0] || {};
          names[entry.reference] = [main.first_name, main.last_name].filter(Boolean).join(" ");
        });
      };
    }), 4).then(function () { return names; });
  }

  byId("vh-print").addEventListener("click", function () {
    var button = byId("vh-print");
    if (!byId("vh-print-names").checked) {
      forgetNames();
      window.print();
      return;
    }
    button.disabled = true;
    fetchNames().then(function (names) {
      state.names = names;
      renderAgenda();
      announce("De namen staan nu in de agenda. Na het afdrukken haalt de pagina ze weer weg.");
      window.print();
    }, function (problem) {
      if (problem.status !== 401) announce(problem.message);
    }).then(function () { button.disabled = false; });
  });
  window.addEventListener("afterprint", function () { if (state.names) forgetNames(); });
  byId("vh-print-names").addEventListener("change", function (event) {
    if (!event.currentTarget.checked && state.names) forgetNames();
  });

  /* Sign-out posts the form; the page is emptied before it goes. */
  byId("vh-logout").addEventListener("submit", function () { forgetAll(); });
  /* Leaving the page (also into the back/forward cache) leaves nothing personal behind. */
  window.addEventListener("pagehide", function () { forgetAll(); });
  window.addEventListener("pageshow", function (event) { if (event.persisted) start(); });

  /* The audit trail and the figures: a module of their own, loaded only for a group that
     has one of them (beheer-control.js); it uses this page's API client. */
  function loadChecks(me) {
    var wanted = ["vh-audit", "vh-figures"].some(function (id) {
      var groups = (byId(id).getAttribute("data-groups") || "").split(" ");
      return me.groups.some(function (g) { return groups.indexOf(g) >= 0; });
    });
    if (!wanted || window.vhBeheer) return;
    window.vhBeheer = { api: api, announce: announce, label: label, me: me,
      byId: byId, make: make, clear: clear };
    var style = doc.createElement("link");
    style.rel = "stylesheet";
    style.href = root.getAttribute("data-checks") + ".css";
    doc.head.appendChild(style);
    var script = doc.createElement("script");
    script.src = root.getAttribute("data-checks") + ".js";
    doc.body.appendChild(script);
  }

  function start() {
    if (!mayBeSignedIn()) {
      signedOut();
      return;
    }
    show("loading");
    api("GET", "/me").then(function (me) {
      state.me = me;
      byId("vh-user").textContent = me.username;
      byId("vh-role").textContent = me.groups.length
        ? me.groups.map(function (g) { return label("group", g); }).join(", ")
        : "geen rol";
      show("signedIn");
      /* Rights (docs/rights.md): a group that does not work with cases (beheer) gets
         neither the overview nor a case, and the API is not asked for them. */
      var readers = (views.signedIn.getAttribute("data-read") || "").split(" ");
      var reads = me.groups.some(function (g) { return readers.indexOf(g) >= 0; });
      me.reads = reads;
      byId("vh-no-cases").hidden = reads;
      loadChecks(me);
      var erasers = (byId("vh-erase").getAttribute("data-groups") || "").split(" ");
      byId("vh-erase").hidden = !me.groups.some(function (g) { return erasers.indexOf(g) >= 0; });
      if (!reads) {
        views.overview.hidden = true;
        views.kase.hidden = true;
        return null;
      }
      route(false);
      return loadOverview();
    }, function (problem) {
      if (problem.status === 401) return;
      show("signedOut");
      announce(problem.message);
    });
  }

  start();
})();
