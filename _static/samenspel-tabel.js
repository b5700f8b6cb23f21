/*
 * Samenspel: makes a table inside an element with class "samenspel-tabel" searchable and
 * sortable. Pages without such an element are left alone. No dependencies.
 *
 * - a labelled search field filters the rows (accents and case are ignored);
 * - every column header becomes a button; the sorted column carries aria-sort;
 * - a polite live region says how many rows are shown.
 * Without JavaScript the table stays a plain table with links.
 */
(function () {
  "use strict";

  var MARKER = ".samenspel-tabel";
  var collator = new Intl.Collator("nl", { sensitivity: "base", numeric: true });

  function text(node) {
    return (node && node.textContent ? node.textContent : "").replace(/\s+/g, " ").trim();
  }

  function plain(value) {
    return value.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // "226.500" -> 226500, "12,5" -> 12.5, "226.500 (2024)" -> 226500; anything else: NaN.
  function numberOf(value) {
    var t = value.replace(/\s*\(\d{4}\)$/, "").replace(/\s/g, "");
    if (!/^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$/.test(t)) return NaN;
    return parseFloat(t.replace(/\./g, "").replace(",", "."));
  }

  function isMissing(value) {
    return value === "" || value === "–" || value === "-";
  }

  // "'s-Gravenhage" sorts under G, as in Dutch lists.
  function nameKey(value) {
    return value.replace(/^'(s|t)[- ]/i, "");
  }

  function restripe(rows) {
    var n = 0;
    rows.forEach(function (row) {
      if (row.hidden) return;
      row.classList.remove("row-odd", "row-even");
      row.classList.add(n % 2 === 0 ? "row-even" : "row-odd");
      n += 1;
    });
  }

  function enhance(container, index) {
    var table = container.querySelector("table");
    if (!table || !table.tHead || !table.tBodies.length || table.hasAttribute("data-samenspel")) {
      return;
    }
    table.setAttribute("data-samenspel", "1");
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var noun = container.getAttribute("data-noun") || "gemeenten";
    var tableId = table.id || "samenspel-tabel-" + index;
    table.id = tableId;

    var numeric = headers.map(function (_, col) {
      var seen = false;
      var all = rows.every(function (row) {
        var value = text(row.cells[col]);
        if (isMissing(value)) return true;
        seen = true;
        return !isNaN(numberOf(value));
      });
      return all && seen;
    });

    // Search field with a visible label and a live count.
    var search = document.createElement("div");
    search.className = "samenspel-zoek";
    var inputId = "samenspel-zoek-" + index;
    var label = document.createElement("label");
    label.htmlFor = inputId;
    label.textContent = "Zoek in de tabel";
    var input = document.createElement("input");
    input.type = "search";
    input.id = inputId;
    input.autocomplete = "off";
    input.spellcheck = false;
    input.placeholder = "Bijvoorbeeld Almere of Flevoland";
    input.setAttribute("aria-controls", tableId);
    var status = document.createElement("p");
    status.className = "samenspel-aantal";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    search.appendChild(label);
    search.appendChild(input);
    search.appendChild(status);
    container.insertBefore(search, container.firstChild);

    function filter() {
      var query = plain(input.value.trim());
      var shown = 0;
      rows.forEach(function (row) {
        var match = !query || plain(text(row)).indexOf(query) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      restripe(rows);
      if (shown === 0) {
        status.textContent = "Niets gevonden voor „" + input.value.trim() + "”.";
      } else if (shown === rows.length) {
        status.textContent = rows.length + " " + noun;
      } else {
        status.textContent = shown + " van de " + rows.length + " " + noun;
      }
    }
    input.addEventListener("input", filter);

    // Sortable column headers.
    function sortBy(col, direction) {
      var factor = direction === "ascending" ? 1 : -1;
      var keyed = rows.map(function (row, i) {
        var value = text(row.cells[col]);
        return { row: row, i: i, value: value, number: numeric[col] ? numberOf(value) : NaN };
      });
      keyed.sort(function (a, b) {
        var aMissing = isMissing(a.value);
        var bMissing = isMissing(b.value);
        if (aMissing !== bMissing) return aMissing ? 1 : -1; // missing values last
        var result = numeric[col]
          ? a.number - b.number
          : collator.compare(nameKey(a.value), nameKey(b.value));
        return result * factor || a.i - b.i;
      });
      rows = keyed.map(function (k) { return k.row; });
      rows.forEach(function (row) { tbody.appendChild(row); });
      restripe(rows);
    }

    headers.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "samenspel-sorteer";
      button.textContent = text(th);
      var icon = document.createElement("span");
      icon.className = "samenspel-sorteer-pijl";
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var next = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", next);
        sortBy(col, next);
      });
    });

    filter();
  }

  function init() {
    var containers = document.querySelectorAll(MARKER);
    Array.prototype.forEach.call(containers, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
