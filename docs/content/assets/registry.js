/* The platforms table: filters and sorting without a page reload. The whole table is
   in the HTML, so everything works without JavaScript; this only narrows and orders it. */
(function () {
  "use strict";
  var table = document.getElementById("reg-platforms");
  var form = document.getElementById("reg-filters");
  if (!table || !form) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var count = document.getElementById("reg-filter-count");
  var text = document.getElementById("f-q");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-attr]"));
  form.hidden = false;

  // Restore filters from the address (?county=130602&status=certified), so a filtered
  // view can be shared and survives the back button.
  var params = new URLSearchParams(window.location.search);
  selects.forEach(function (s) { var v = params.get(s.dataset.attr); if (v) s.value = v; });
  if (params.get("q")) text.value = params.get("q");

  function apply() {
    var needle = text.value.trim().toLowerCase();
    var shown = 0;
    var query = new URLSearchParams();
    selects.forEach(function (s) { if (s.value) query.set(s.dataset.attr, s.value); });
    if (needle) query.set("q", text.value.trim());
    rows.forEach(function (row) {
      var ok = selects.every(function (s) {
        if (!s.value) return true;
        var have = (row.dataset[s.dataset.attr] || "").split(" ");
        return have.indexOf(s.value) !== -1;
      });
      if (ok && needle) {
        ok = (row.cells[0].textContent + " " + row.cells[1].textContent).toLowerCase().indexOf(needle) !== -1;
      }
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = shown === rows.length
      ? "共 " + rows.length + " 个平台"
      : "符合条件的平台 " + shown + " 个（共 " + rows.length + " 个）" + (shown === 0 ? "。没有符合条件的平台，请放宽筛选条件。" : "");
    var qs = query.toString();
    history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });

  // Sorting: header cells become buttons (keyboard-accessible), aria-sort tells state.
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  table.classList.add("reg-sortable");  // on phones the header row becomes a row of sort buttons
  heads.forEach(function (th, index) {
    var kind = th.dataset.sort;
    if (!kind) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "reg-sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var collator = new Intl.Collator("zh-CN");
      rows.sort(function (a, b) {
        var x = a.cells[index].textContent.trim(), y = b.cells[index].textContent.trim();
        var r = kind === "number" ? (parseInt(x, 10) || 0) - (parseInt(y, 10) || 0) : collator.compare(x, y);
        return asc ? r : -r;
      });
      var body = table.tBodies[0];
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();

/* A table wider than the screen scrolls inside its box (.reg-table-wrap). A box that
   scrolls must be reachable by keyboard and named (WCAG 2.1.1; axe
   scrollable-region-focusable), so it becomes a focusable region named by its table's
   caption, only while it actually scrolls. */
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".reg-table-wrap"));
  if (!boxes.length) return;
  function mark() {
    boxes.forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      var caption = box.querySelector("caption");
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (caption) {
          if (!caption.id) caption.id = "reg-caption-" + boxes.indexOf(box);
          box.setAttribute("aria-labelledby", caption.id);
        }
      } else if (!scrolls && box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-labelledby");
      }
    });
  }
  mark();
  var pending = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(mark);
  });
})();

/* 大字版 (large text, high contrast): a switch in the header, remembered across pages
   (localStorage; the head applies it before the page is drawn). */
(function () {
  "use strict";
  var button = document.getElementById("reg-large-toggle");
  if (!button) return;
  var root = document.documentElement;
  function show() {
    var on = root.classList.contains("reg-large");
    button.setAttribute("aria-pressed", on ? "true" : "false");  // a toggle button: its name stays
  }
  button.hidden = false;
  show();
  button.addEventListener("click", function () {
    var on = root.classList.toggle("reg-large");
    try { localStorage.setItem("reg-large", on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
    show();
  });
})();

/* A notice's print button (the browser's print dialog also saves a PDF) */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".reg-print-button"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
