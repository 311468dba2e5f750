/* The registration form, enhanced. Without this script the form still works: it posts to the
   API, which answers with the confirmation page or a page listing the problems.
   With it: conditional questions, add/remove rows, inline errors with a GOV.UK error summary,
   a "Controleer uw antwoorden" step, and a JSON post that is sent once (submission_id).
   Nothing typed is stored in the browser; the only request goes to this site's own API.
   No inline styles: only classes and the hidden attribute change. */
(function () {
  "use strict";

  var doc = document;
  var DAYS = ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"];
  var MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
    "september", "oktober", "november", "december"];

  function byId(id) { return doc.getElementById(id); }
  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
  function make(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  /* "2026-11-26" -> "donderdag 26 november 2026" ("" for anything else). */
  function dutchDate(text, weekday) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    if (!match) return "";
    var date = new Date(+match[1], +match[2] - 1, +match[3]);
    if (date.getMonth() !== +match[2] - 1 || date.getDate() !== +match[3]) return "";
    return (weekday ? DAYS[date.getDay()] + " " : "") + date.getDate() + " " +
      MONTHS[date.getMonth()] + " " + date.getFullYear();
  }

  function isoDate(date) {
    return date.getFullYear() + "-" + ("0" + (date.getMonth() + 1)).slice(-2) + "-" +
      ("0" + date.getDate()).slice(-2);
  }

  /* The promised day of a timestamp, on the house's clock (not the browser's): a promise is a
     date in Amsterdam, whatever zone the reader is in. "" when it cannot be read. */
  function amsterdamDate(text) {
    var moment = new Date(text);
    if (isNaN(moment)) return "";
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit" })
        .formatToParts(moment).forEach(function (part) { parts[part.type] = part.value; });
      return parts.year + "-" + parts.month + "-" + parts.day;
    } catch (e) {
      return isoDate(moment);
    }
  }

  /* ---- The confirmation page: kenmerk and dates from the address, as text only. ---- */
  function confirmation(block) {
    var params = new URLSearchParams(window.location.search);
    var reference = params.get("kenmerk") || "";
    if (new RegExp(block.getAttribute("data-pattern")).test(reference)) {
      byId("vh-reference").textContent = reference;
      block.hidden = false;
    }
    var receipt = params.get("ontvangst");
    if (receipt === "ja" || receipt === "nee") {
      byId("vh-receipt").hidden = receipt !== "ja";
      byId("vh-no-receipt").hidden = receipt !== "nee";
      byId("vh-receipt-unknown").hidden = true;
    }
    [["contact", "vh-contact"], ["triage", "vh-triage"]].forEach(function (pair) {
      var text = dutchDate(params.get(pair[0]), true);
      var line = byId(pair[1]);
      if (text && line) {
        byId(pair[1] + "-date").textContent = text;
        line.hidden = false;
      }
    });
  }

  function newSubmissionId() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* ---- The form ---- */
  function enhance(form) {
    var reference = new RegExp(form.getAttribute("data-reference"));
    var summary = byId("vh-error-summary");
    var errorList = byId("vh-error-list");
    var fill = byId("vh-fill");
    var check = byId("vh-check");
    var sendButton = byId("vh-send");
    var status = byId("vh-send-status");
    var announcer = byId("vh-announce");
    var criteriaStatus = byId("vh-criteria-status");
    var criteriaSeen = false;
    /* What is not met for each combination of ticked boxes ("" when met): the API's words. */
    var criteriaOutcomes = JSON.parse(criteriaStatus.getAttribute("data-outcomes"));
    var criteriaExplain = criteriaStatus.getAttribute("data-explain");
    var sending = false;
    var sent = null; /* the answers last sent, without their submission id (in memory only) */

    form.noValidate = true; /* our own checks; without this script the browser checks */
    form.classList.add("vh-js");
    byId("vh-next").textContent = "Controleer uw antwoorden";
    byId("submission_id").value = newSubmissionId(); /* retries of the same answers reuse it */
    /* Names and addresses of persons stay out of the browser's autofill history. Without this
       script they keep autocomplete on, so that Back after a problem restores them. */
    all(form, "[data-autocomplete-off]").forEach(function (field) { field.autocomplete = "off"; });

    function announce(text) {
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = text; }, 100);
    }

    function hiddenByCondition(node) { return !!node.closest("[data-show-when][hidden]"); }

    function criteriaUnmet() {
      var key = all(form, "input[name=criteria]").map(function (box) { return box.checked ? "1" : "0"; });
      return criteriaOutcomes[key.join("")];
    }
    function criteriaMet() { return criteriaUnmet() === ""; }

    /* The value of a question, ignoring answers hidden by another answer. */
    function valueOf(name) {
      var found = "";
      all(form, "[name='" + name + "']").forEach(function (field) {
        if (hiddenByCondition(field)) return;
        if (field.type === "radio" || field.type === "checkbox") {
          if (field.checked) found = field.value;
        } else {
          found = field.value;
        }
      });
      return found;
    }

    function updateConditions() {
      all(form, "[data-show-when]").forEach(function (block) {
        var rule = block.getAttribute("data-show-when");
        var shown = rule === "criteria!met" ? criteriaSeen && !criteriaMet()
          : valueOf(rule.split("=")[0]) === rule.split("=")[1];
        block.hidden = !shown;
      });
    }

    function updateCriteria() {
      var unmet = criteriaUnmet();
      criteriaSeen = true;
      criteriaStatus.textContent = unmet
        ? unmet + " U kunt de casus toch aanmelden. Leg dan hieronder uit waarom."
        : "Volgens uw antwoorden voldoet de casus aan de criteria.";
      /* The error for a missing explanation names what is not met, as the API does. */
      if (unmet) byId("criteria_explanation").setAttribute("data-missing", unmet + " " + criteriaExplain);
    }

    /* ---- Rows: persons (1 to 8) and involved organisations (0 to 15) ---- */
    function rowsIn(container) { return all(container, ":scope > [data-row]"); }

    function hasValue(row) {
      return all(row, "input, select, textarea").some(function (field) { return field.value.trim() !== ""; });
    }

    function setupRows(container) {
      var kind = container.getAttribute("data-rows");
      var noun = container.getAttribute("data-name");
      var max = +container.getAttribute("data-max");
      var min = +container.getAttribute("data-min");
      var template = rowsIn(container)[0].cloneNode(true);
      all(template, "input, textarea").forEach(function (field) { field.value = ""; field.defaultValue = ""; });
      all(template, "option").forEach(function (option) { option.removeAttribute("selected"); });
      var addButton = make("button", "md-button vh-add", noun + " toevoegen");
      addButton.type = "button";
      container.parentNode.insertBefore(addButton, container.nextSibling);

      /* Rows typed in before this script ran are kept; empty extra rows go. */
      all(container, "details [data-row]").forEach(function (row) {
        if (hasValue(row)) container.insertBefore(row, container.querySelector("details"));
      });
      all(container, "details").forEach(function (details) { details.remove(); });
      if (min === 0) rowsIn(container).forEach(function (row) { if (!hasValue(row)) row.remove(); });
      var pattern = new RegExp("(^|\\s)" + kind + "\\.\\d+\\.", "g");

      function renumber() {
        var rows = rowsIn(container);
        rows.forEach(function (row, index) {
          var prefix = kind + "." + index + ".";
          row.querySelector("legend").textContent = noun + " " + (index + 1);
          all(row, "[data-row-required]").forEach(function (field) { field.required = true; });
          all(row, "*").forEach(function (node) {
            ["id", "name", "for", "aria-describedby"].forEach(function (attribute) {
              var value = node.getAttribute(attribute);
              if (value) node.setAttribute(attribute, value.replace(pattern, "$1" + prefix));
            });
            if (node.hasAttribute("data-n")) node.setAttribute("data-n", index + 1);
          });
          var remove = row.querySelector(".vh-remove");
          if (!remove) {
            remove = make("button", "md-button vh-remove");
            remove.type = "button";
            remove.addEventListener("click", function () { removeRow(row); });
            row.appendChild(remove);
          }
          remove.textContent = noun + " " + (index + 1) + " verwijderen";
          remove.hidden = rows.length <= min;
        });
        addButton.hidden = rows.length >= max;
        return rows;
      }

      function removeRow(row) {
        var number = rowsIn(container).indexOf(row) + 1;
        row.remove();
        renumber();
        updateConditions();
        addButton.focus();
        announce(noun + " " + number + " is verwijderd.");
      }

      addButton.addEventListener("click", function () {
        var row = template.cloneNode(true);
        container.appendChild(row);
        var rows = renumber();
        row.querySelector("input, select").focus();
        announce(noun + " " + rows.length + " is toegevoegd.");
      });
      renumber();
    }

    /* ---- Checks, with the API's own messages (data-missing, data-too-short, ...) ---- */
    function message(node, kind) {
      return (node.getAttribute("data-" + kind) || "").replace("{n}", node.getAttribute("data-n") || "1");
    }

    /* A long text has no maxlength (the browser would cut a paste off without a word): its
       limit is data-maxlength, shown by its counter. */
    function maxLength(field) {
      return +(field.getAttribute("data-maxlength") || field.maxLength || 0);
    }

    function validPhone(value) {
      var digits = value.replace(/[\s().-]/g, "").replace(/^(\+31|0031)/, "0");
      return /^0[1-9]\d{8}$/.test(digits);
    }

    function problems() {
      var found = [];
      function add(node, kind) {
        var text = message(node, kind);
        if (text) found.push({ field: node.id, message: text });
      }
      all(form, "input, select, textarea").forEach(function (field) {
        if (!field.id || field.type === "hidden" || field.closest(".vh-trap") || hiddenByCondition(field)) return;
        if (field.type === "radio" || (field.type === "checkbox" && field.closest(".vh-choices"))) return;
        var conditional = !!field.closest("[data-show-when]");
        if (field.type === "checkbox") {
          if (field.required && !field.checked) add(field, "missing");
          return;
        }
        var value = field.value.trim();
        if (!value) {
          if (field.required || conditional || (field.type === "date" && field.validity.badInput)) {
            add(field, field.validity && field.validity.badInput ? "invalid" : "missing");
          }
        } else if (field.minLength > 0 && value.length < field.minLength) {
          add(field, "too-short");
        } else if (maxLength(field) > 0 && value.length > maxLength(field)) {
          add(field, "too-long");
        } else if (field.type === "email" && !/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(value)) {
          add(field, "invalid");
        } else if (field.type === "tel" && !validPhone(value)) {
          add(field, "invalid");
        } else if (field.type === "date" && value < "1900-01-01") {
          add(field, "too-early");
        } else if (field.type === "date" && value >= isoDate(new Date())) {
          add(field, "not-past");
        }
      });
      all(form, "fieldset.vh-choices").forEach(function (group) {
        if (hiddenByCondition(group)) return;
        var required = group.hasAttribute("data-required") || !!group.closest("[data-show-when]");
        if (required && !group.querySelector("input:checked")) add(group, "missing");
      });
      var relations = all(form, "select[name$='.relation']");
      var main = relations.filter(function (select) { return select.value === "hoofdbetrokkene"; });
      if (main.length !== 1 && relations.every(function (select) { return select.value; })) {
        add(byId("persons"), "missing");
      }
      /* In the order of the page, like the API's list. */
      return found.sort(function (a, b) {
        var position = byId(a.field).compareDocumentPosition(byId(b.field));
        return position & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
      });
    }

    /* ---- Errors: inline and in the summary, which gets focus ---- */
    function clearErrors() {
      all(form, ".vh-error-message").forEach(function (node) { node.remove(); });
      all(form, ".vh-invalid").forEach(function (node) { node.classList.remove("vh-invalid"); });
      all(form, "[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
      all(form, "[aria-describedby]").forEach(function (node) {
        var ids = node.getAttribute("aria-describedby").split(" ").filter(function (id) {
          return id && !/-error$/.test(id);
        });
        if (ids.length) node.setAttribute("aria-describedby", ids.join(" "));
        else node.removeAttribute("aria-describedby");
      });
      errorList.textContent = "";
      summary.hidden = true;
    }

    /* The element of an API field path; "persons.1" or "life_domains.0" fall back to the parent. */
    function target(path) {
      var parts = (path || "").split(".");
      while (parts.length) {
        var node = byId(parts.join("."));
        if (node) return node;
        parts.pop();
      }
      return null;
    }

    function focusable(node) {
      return /^(INPUT|SELECT|TEXTAREA)$/.test(node.tagName) ? node
        : node.querySelector("input:not([type=hidden]), select, textarea");
    }

    function showErrors(errors) {
      var withField = false;
      errors.forEach(function (error) {
        var node = target(error.field);
        var item = make("li");
        if (node && !node.closest("[data-show-when][hidden]")) {
          withField = true;
          var field = focusable(node);
          var link = make("a", "", error.message);
          link.href = "#" + field.id;
          link.addEventListener("click", function (event) {
            event.preventDefault();
            field.focus();
            field.scrollIntoView({ block: "center" });
          });
          item.appendChild(link);
          if (!byId(node.id + "-error")) {
            var inline = make("p", "vh-error-message");
            inline.id = node.id + "-error";
            inline.appendChild(make("span", "vh-visually-hidden", "Fout: "));
            inline.appendChild(doc.createTextNode(error.message));
            if (node.tagName === "FIELDSET") {
              var after = node.querySelector(":scope > .vh-hint") || node.querySelector(":scope > legend");
              node.insertBefore(inline, after.nextSibling);
              node.classList.add("vh-invalid");
            } else {
              var box = node.type === "checkbox" ? node.closest(".vh-option") : node;
              box.parentNode.insertBefore(inline, box);
              box.parentNode.classList.add("vh-invalid");
              node.setAttribute("aria-invalid", "true");
            }
            var described = node.getAttribute("aria-describedby");
            node.setAttribute("aria-describedby", (described ? described + " " : "") + inline.id);
          }
        } else {
          item.textContent = error.message;
        }
        errorList.appendChild(item);
      });
      byId("vh-error-intro").hidden = !withField;
      summary.hidden = false;
      summary.focus();
      summary.scrollIntoView({ block: "start" });
    }

    /* ---- The check step: every answer with its Dutch label, and "Wijzigen" per section ---- */
    function labelText(label) {
      return Array.prototype.filter.call(label.childNodes, function (node) {
        return node.nodeType === 3;
      }).map(function (node) { return node.textContent; }).join("").trim();
    }

    function answerOf(field) {
      if (field.tagName === "SELECT") return field.value ? field.options[field.selectedIndex].text : "";
      if (field.type === "date") return dutchDate(field.value, false);
      return field.value.trim();
    }

    function buildCheck() {
      var list = byId("vh-check-list");
      list.textContent = "";
      all(form, "fieldset.vh-section").forEach(function (section) {
        var title = section.querySelector("legend").textContent.trim();
        var head = make("div", "vh-check-head");
        head.appendChild(make("h4", "", title));
        var change = make("a", "vh-change", "Wijzigen");
        change.href = "#" + section.id;
        change.appendChild(make("span", "vh-visually-hidden", " " + title));
        change.addEventListener("click", function (event) {
          event.preventDefault();
          showFill(focusable(section));
        });
        head.appendChild(change);
        list.appendChild(head);
        var rows = null;
        function row(question, answer, many) {
          if (!rows) rows = list.appendChild(make("dl", "vh-answers"));
          var line = rows.appendChild(make("div", "vh-answer"));
          line.appendChild(make("dt", "", question));
          var value = line.appendChild(make("dd"));
          if (many && answer.length) {
            var items = value.appendChild(make("ul"));
            answer.forEach(function (text) { items.appendChild(make("li", "", text)); });
          } else {
            value.textContent = (many ? answer.join("") : answer) || "Niet ingevuld";
          }
        }
        (function walk(node) {
          Array.prototype.forEach.call(node.children, function (child) {
            if (child.hidden || child.matches(".vh-trap, legend, .vh-hint, button")) return;
            if (child.matches(".vh-field")) {
              row(labelText(child.querySelector("label")), answerOf(child.querySelector("input, select, textarea")));
            } else if (child.matches("fieldset.vh-choices")) {
              var chosen = all(child, "input:checked").map(function (box) {
                return box.nextElementSibling.textContent.trim();
              });
              row(labelText(child.querySelector("legend")), chosen, child.hasAttribute("data-multi"));
            } else if (child.matches(".vh-option")) {
              row(child.textContent.trim(), child.querySelector("input").checked ? "Ja" : "Nee");
            } else if (child === criteriaStatus) {
              row("Voldoet de casus aan de criteria?", criteriaMet() ? "Ja" : "Nee");
            } else if (child.matches("[data-row]")) {
              list.appendChild(make("h5", "", child.querySelector("legend").textContent));
              rows = null;
              walk(child);
              rows = null;
            } else {
              walk(child);
            }
          });
        })(section);
      });
    }

    function showCheck() {
      buildCheck();
      fill.hidden = true;
      check.hidden = false;
      var title = byId("vh-check-title");
      title.focus();
      title.scrollIntoView({ block: "start" });
    }

    function showFill(focusTarget) {
      check.hidden = true;
      fill.hidden = false;
      if (focusTarget) {
        focusTarget.focus();
        focusTarget.scrollIntoView({ block: "center" });
      }
    }

    /* ---- JSON as the API takes it; questions hidden by another answer are not sent ---- */
    function toJson() {
      var data = {};
      all(form, "input, select, textarea").forEach(function (field) {
        if (!field.name || field.disabled || hiddenByCondition(field)) return;
        if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
        var value = field.value.trim();
        if (!value) return;
        var parts = field.name.split(".");
        var node = data;
        for (var i = 0; i < parts.length - 1; i++) {
          if (node[parts[i]] === undefined) node[parts[i]] = /^\d+$/.test(parts[i + 1]) ? [] : {};
          node = node[parts[i]];
        }
        var leaf = parts[parts.length - 1];
        if (field.closest("[data-multi]")) (node[leaf] = node[leaf] || []).push(value);
        else if (field.type === "checkbox") node[leaf] = true;
        else node[leaf] = value;
      });
      return data;
    }

    function done() {
      sending = false;
      sendButton.disabled = false;
      status.textContent = "";
    }

    /* The same answers keep their submission id, so a retry is stored once; changed answers
       are another submission and get a new one (the API refuses an id it saw with other
       answers, 409). */
    function body() {
      var data = toJson();
      delete data.submission_id;
      var answers = JSON.stringify(data);
      if (sent !== null && sent !== answers) byId("submission_id").value = newSubmissionId();
      sent = answers;
      return JSON.stringify(toJson());
    }

    function send() {
      sending = true;
      sendButton.disabled = true;
      clearErrors();
      status.textContent = "Uw aanmelding wordt verstuurd. Een moment geduld.";
      window.fetch(form.getAttribute("action"), {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: body(),
        credentials: "same-origin",
        cache: "no-store",
        redirect: "error"
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 202 && reference.test(data.reference || "")) {
            var next = new URL(form.getAttribute("data-confirmation"), window.location.href);
            next.searchParams.set("kenmerk", data.reference);
            var respondBy = amsterdamDate(data.respond_by);
            if (respondBy) next.searchParams.set("contact", respondBy);
            if (/^\d{4}-\d{2}-\d{2}$/.test(data.triage_date || "")) next.searchParams.set("triage", data.triage_date);
            next.searchParams.set("ontvangst", data.receipt ? "ja" : "nee");
            status.textContent = "Uw aanmelding is verstuurd.";
            window.location.replace(next.toString());
            return;
          }
          done();
          if (response.status === 422 && Array.isArray(data.errors) && data.errors.length) {
            showFill(null);
            showErrors(data.errors);
          } else if (response.status === 409 && data.message) {
            showErrors([{ message: data.message }]);
          } else if (response.status === 429) {
            /* The web ACL's rate rule or the API's throttle (whose own answer is English). */
            showErrors([{ message: "U heeft in korte tijd te veel verzoeken gestuurd. Uw " +
              "antwoorden staan nog in het formulier. Wacht een paar minuten en verstuur de " +
              "aanmelding dan opnieuw." }]);
          } else {
            showErrors([{ message: (data.message || "Het versturen is niet gelukt.") +
              " Uw antwoorden staan nog in het formulier. Probeer het over een paar minuten opnieuw." }]);
          }
        });
      }).catch(function () {
        done();
        showErrors([{ message: "Er is geen verbinding. Controleer uw internetverbinding en kies " +
          "opnieuw 'Aanmelding versturen'. Uw aanmelding wordt dan niet dubbel verstuurd." }]);
      });
    }

    /* ---- Counters on long texts: "Nog 120 tekens" while typing, "30 tekens te veel" ---- */
    function counted(text, limit) {
      var left = limit - text.length; /* as the API counts: whitespace included */
      if (left >= 0) return "Nog " + left + (left === 1 ? " teken" : " tekens") + " (hoogstens " + limit + ").";
      return "U heeft " + -left + (left === -1 ? " teken" : " tekens") + " te veel (hoogstens " + limit + ").";
    }
    var countTimer = null;
    function updateCount(field, speak) {
      var counter = byId(field.id + "-count");
      if (!counter) return;
      var limit = maxLength(field);
      var text = counted(field.value, limit);
      counter.textContent = text;
      counter.classList.toggle("vh-count-over", field.value.length > limit);
      if (speak) {
        /* Said once typing pauses, not at every key. */
        window.clearTimeout(countTimer);
        countTimer = window.setTimeout(function () { announce(text); }, 1000);
      }
    }
    all(form, "textarea[data-maxlength]").forEach(function (field) { updateCount(field, false); });
    form.addEventListener("input", function (event) {
      if (event.target.hasAttribute && event.target.hasAttribute("data-maxlength")) updateCount(event.target, true);
    });

    all(form, "[data-rows]").forEach(setupRows);
    updateConditions();

    form.addEventListener("change", function (event) {
      if (event.target.name === "criteria") updateCriteria();
      updateConditions();
    });
    byId("vh-back").addEventListener("click", function () { showFill(focusable(form)); });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sending) return;
      if (!check.hidden) {
        send();
        return;
      }
      clearErrors();
      if (!criteriaSeen) updateCriteria();
      updateConditions();
      var found = problems();
      if (found.length) showErrors(found);
      else showCheck();
    });
  }

  /* "Afdrukken of opslaan als PDF": the browser's own print dialog; nothing is stored or sent. */
  all(doc, ".vh-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var form = byId("aanmeldformulier");
  if (form) enhance(form);
  var block = byId("vh-reference-block");
  if (block) confirmation(block);
})();
