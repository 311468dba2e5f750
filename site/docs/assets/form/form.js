/* Registration form: progressive enhancement. Without this script the form still posts.
   Nothing typed is stored in the browser; the only request goes to this site's own API. */
(function () {
  "use strict";

  var REFERENCE = /^VH(-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}){2}$/;

  function showReference() {
    var target = document.getElementById("vh-reference");
    if (!target) return;
    var reference = new URLSearchParams(window.location.search).get("kenmerk") || "";
    if (REFERENCE.test(reference)) {
      target.textContent = reference;
      var block = document.getElementById("vh-reference-block");
      if (block) block.hidden = false;
    }
  }

  function newSubmissionId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  /* "persons.0.first_name" -> {persons: [{first_name: ...}]}; empty optional fields left out. */
  function toJson(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string" || value.trim() === "") return;
      var parts = name.split(".");
      var node = data;
      for (var i = 0; i < parts.length - 1; i++) {
        var key = parts[i];
        var nextIsIndex = /^\d+$/.test(parts[i + 1]);
        if (node[key] === undefined) node[key] = nextIsIndex ? [] : {};
        node = node[key];
      }
      node[parts[parts.length - 1]] = value;
    });
    return data;
  }

  function clearErrors(form) {
    form.querySelectorAll(".vh-error-message").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id.indexOf("-error") === -1;
      });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
      else el.removeAttribute("aria-describedby");
    });
    document.getElementById("vh-error-list").textContent = "";
    document.getElementById("vh-error-summary").hidden = true;
  }

  function showErrors(form, errors) {
    var summary = document.getElementById("vh-error-summary");
    var list = document.getElementById("vh-error-list");
    errors.forEach(function (error) {
      var field = document.getElementById(error.field);
      var item = document.createElement("li");
      if (field) {
        var link = document.createElement("a");
        link.href = "#" + error.field;
        link.textContent = error.message;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          field.focus();
        });
        item.appendChild(link);
        var message = document.createElement("p");
        message.className = "vh-error-message";
        message.id = error.field + "-error";
        message.textContent = error.message;
        field.parentNode.insertBefore(message, field);
        field.setAttribute("aria-invalid", "true");
        var described = field.getAttribute("aria-describedby");
        field.setAttribute("aria-describedby", (described ? described + " " : "") + message.id);
      } else {
        item.textContent = error.message;
      }
      list.appendChild(item);
    });
    summary.hidden = false;
    summary.focus();
  }

  function enhance(form) {
    var submissionId = newSubmissionId();
    var status = document.getElementById("vh-send-status");
    var button = form.querySelector("button[type=submit]");
    var sending = false;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sending) return;
      sending = true;
      button.disabled = true;
      clearErrors(form);
      status.textContent = "Uw aanmelding wordt verstuurd.";
      var body = toJson(form);
      body.submission_id = submissionId;
      fetch(form.getAttribute("action"), {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store"
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 202 && REFERENCE.test(data.reference || "")) {
            var target = new URL(form.dataset.confirmation, window.location.href);
            target.searchParams.set("kenmerk", data.reference);
            window.location.assign(target.toString());
            return;
          }
          status.textContent = "";
          if (response.status === 422 && Array.isArray(data.errors)) {
            showErrors(form, data.errors);
          } else {
            showErrors(form, [{ field: "", message: data.message ||
              "Het versturen is niet gelukt. Probeer het later opnieuw." }]);
          }
          sending = false;
          button.disabled = false;
        });
      }).catch(function () {
        status.textContent = "";
        showErrors(form, [{ field: "", message:
          "Er is geen verbinding. Controleer uw internet en probeer het opnieuw." }]);
        sending = false;
        button.disabled = false;
      });
    });
  }

  var form = document.getElementById("aanmeldformulier");
  if (form) enhance(form);
  showReference();
})();
