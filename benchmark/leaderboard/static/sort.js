// Sortable tables, no dependencies: a click on a column header of a table.sortable sorts
// its body rows by that column; a second click reverses the order. A cell's
// data-sort-value (if present) is sorted on instead of its text; empty values sort last in
// either direction. The header's aria-sort attribute says the current order.
(function () {
  "use strict";

  function key(cell, numeric) {
    var raw = cell.hasAttribute("data-sort-value") ? cell.getAttribute("data-sort-value")
                                                   : cell.textContent.trim();
    if (raw === "") return null;
    if (!numeric) return raw.toLowerCase();
    var n = parseFloat(raw);
    return isNaN(n) ? null : n;
  }

  function sortTable(table, th, column) {
    var numeric = th.getAttribute("data-sort") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return { row: row, i: i, key: key(row.cells[column], numeric) };
    });
    rows.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        if (a.key === b.key) return a.i - b.i;
        return a.key === null ? 1 : -1;
      }
      var c = a.key < b.key ? -1 : (a.key > b.key ? 1 : 0);
      return (ascending ? c : -c) || a.i - b.i;
    });
    var headers = table.tHead.rows[0].cells;
    for (var h = 0; h < headers.length; h++) headers[h].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (r) { body.appendChild(r.row); });
  }

  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, column) {
      var button = th.querySelector("button") || th;
      button.addEventListener("click", function () { sortTable(table, th, column); });
    });
  });
})();
