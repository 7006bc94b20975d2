/* Form errors that every visitor perceives (RGAA 4.1 criteria 11.10, 11.11):
 * - each field in error says so (aria-invalid) and is described by its message (aria-describedby);
 * - the error summary at the top of the form names the fields with their visible labels, links to each one, is
 *   announced (role="alert") and receives the focus, so that a keyboard or screen-reader user starts there.
 * Works on CKAN's form macros (core and ckanext-scheming: .form-group.error + .error-block, .error-explanation)
 * and on the grandest forms, which use the same markup. */
(function () {
  "use strict";
  function labelText(group) {
    var label = group.querySelector("label, legend");
    if (!label) { return ""; }
    var clone = label.cloneNode(true);
    clone.querySelectorAll(".control-required, .visually-hidden").forEach(function (n) { n.remove(); });
    return clone.textContent.replace(/\s+/g, " ").replace(/[\s:*]+$/, "").trim();
  }
  function controls(group) {
    return Array.prototype.filter.call(
      group.querySelectorAll("input, select, textarea"),
      function (c) { return c.type !== "hidden" && c.type !== "submit" && c.type !== "button"; });
  }
  function init() {
    var summaryItems = [];
    document.querySelectorAll(".form-group.error, .form-group.has-error").forEach(function (group, i) {
      var message = group.querySelector(".error-block, .invalid-feedback");
      var fields = controls(group);
      if (!fields.length) { return; }
      if (message && !message.id) { message.id = (fields[0].id || "grandest-field-" + i) + "-error"; }
      fields.forEach(function (field) {
        field.setAttribute("aria-invalid", "true");
        if (message) {
          var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
          if (described.indexOf(message.id) < 0) { described.push(message.id); }
          field.setAttribute("aria-describedby", described.join(" "));
        }
      });
      summaryItems.push({id: fields[0].id, label: labelText(group),
                         message: message ? message.textContent.replace(/\s+/g, " ").trim() : ""});
    });
    var summary = document.querySelector(".error-explanation");
    if (!summary) { return; }
    var list = summary.querySelector("ul");
    if (list && summaryItems.length) {
      // the summary in the visible labels' words, each a link to its field
      list.innerHTML = "";
      summaryItems.forEach(function (item) {
        var li = document.createElement("li");
        var text = item.label + (item.message ? " : " + item.message : "");
        if (item.id) {
          var a = document.createElement("a");
          a.href = "#" + item.id;
          a.textContent = text;
          a.addEventListener("click", function (event) {
            var field = document.getElementById(item.id);
            if (field) {
              event.preventDefault();
              field.focus();
              field.scrollIntoView({block: "center"});
            }
          });
          li.appendChild(a);
        } else {
          li.textContent = text;
        }
        list.appendChild(li);
      });
    }
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    if (!summary.id) { summary.id = "grandest-error-summary"; }
    summary.focus();
  }
  /* select2 3.5 (CKAN 2.11) draws « remove » links with no text: give them a name (RGAA 6.2) */
  function nameRemoveLinks() {
    var words = document.getElementById("grandest-a11y-words");
    var label = words ? words.getAttribute("data-remove") : "";
    if (!label) { return; }
    document.querySelectorAll(".select2-search-choice-close:not([aria-label])").forEach(function (a) {
      var choice = a.parentElement ? a.parentElement.textContent.replace(/\s+/g, " ").trim() : "";
      a.setAttribute("aria-label", choice ? label + " : " + choice : label);
    });
    // the single-choice box of select2 3.5 is a link: named by its field's label
    document.querySelectorAll("a.select2-choice:not([aria-label])").forEach(function (a) {
      var container = a.closest(".select2-container");
      var id = container && container.id ? container.id.replace(/^s2id_/, "") : "";
      var fieldLabel = id ? document.querySelector('label[for="' + id + '"]') : null;
      var name = fieldLabel ? fieldLabel.textContent.replace(/[\s*]+/g, " ").trim() : "";
      if (name) { a.setAttribute("aria-label", name); }
    });
    // select2 4 (CKAN 2.12): its box (role combobox) follows the hidden field; named by that field's label (a
    // single choice's box is labelled by its shown value only, empty until something is chosen)
    document.querySelectorAll(".select2-selection:not([data-grandest-named])").forEach(function (box) {
      var container = box.closest(".select2-container");
      var field = container ? container.previousElementSibling : null;
      var fieldLabel = field && field.id ? document.querySelector('label[for="' + field.id + '"]') : null;
      if (!fieldLabel) { return; }
      if (!fieldLabel.id) { fieldLabel.id = field.id + "-label"; }
      var shown = box.getAttribute("aria-labelledby");
      box.setAttribute("aria-labelledby", shown ? fieldLabel.id + " " + shown : fieldLabel.id);
      box.setAttribute("data-grandest-named", "");
      box.querySelectorAll(".select2-selection__rendered[role]").forEach(function (r) {
        r.setAttribute("aria-labelledby", fieldLabel.id + " " + r.id);
      });
    });
  }
  function start() {
    init();
    nameRemoveLinks();
    if (window.MutationObserver && document.querySelector(".select2-container, [data-module*=\"autocomplete\"]")) {
      new MutationObserver(nameRemoveLinks).observe(document.body, {childList: true, subtree: true});
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
