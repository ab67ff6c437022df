// The secretariat pages (Django's admin) made to pass axe (WCAG 2.2 AA): every field of a
// tabular inline is named by its column, as a screen reader user needs; the autocomplete
// boxes (select2) are named by their field's label; the filter boxes' help icons get a role
// that allows their aria-label. Runs at load and whenever a row is added or a widget appears.
(function () {
  "use strict";

  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function nameTabularFields(root) {
    root.querySelectorAll(".tabular table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), text);
      table.querySelectorAll("tbody tr").forEach(function (row, rowIndex) {
        Array.prototype.forEach.call(row.children, function (cell, column) {
          var header = headers[column] || "";
          cell.querySelectorAll("input, select, textarea").forEach(function (field) {
            if (field.type === "hidden" || field.getAttribute("aria-label")) return;
            if (field.id && document.querySelector('label[for="' + field.id + '"]')) return;
            if (header) field.setAttribute("aria-label", header + " " + (rowIndex + 1));
          });
        });
      });
    });
  }

  function labelFor(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label && text(label)) return text(label).replace(/:$/, "");
    if (select.getAttribute("aria-label")) return select.getAttribute("aria-label");
    return "";
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) return;
      var name = labelFor(select);
      container.querySelectorAll('[role="combobox"], [role="textbox"], [role="searchbox"], textarea, input').forEach(
        function (box) {
          if (name) box.setAttribute("aria-label", name);
        }
      );
      container.querySelectorAll("[aria-labelledby]").forEach(function (element) {
        if (element.getAttribute("role") !== "combobox" && name) {
          element.removeAttribute("aria-labelledby");
        }
      });
    });
  }

  function giveIconsARole(root) {
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function fix(root) {
    nameTabularFields(root);
    giveIconsARole(root);
    nameAutocompletes(root);
  }

  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      fix(document);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    fix(document);
    new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
  });
  window.addEventListener("load", function () {
    fix(document);
  });
  document.addEventListener("formset:added", later);
})();
