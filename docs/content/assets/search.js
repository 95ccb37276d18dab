/* Pagefind search page: the header search box submits ?q=...; run it here. */
(function () {
  "use strict";
  var box = document.getElementById("reg-search");
  if (!box || typeof PagefindUI === "undefined") return;

  // Filter keys are the data-pagefind-filter names in the page templates; Pagefind UI
  // shows the key itself ("County"), so the page gives each its Chinese name.
  var LABELS = { county: "县（市、区）", category: "服务类别", status: "状态", year: "认定年度" };

  var q = new URLSearchParams(window.location.search).get("q");

  // A query runs in the stages of searchterm.js (exact phrase of single characters, as
  // typed, single characters anywhere) until one finds something: a full name, address
  // or certificate number finds its platform first, whatever Pagefind's segmenters make
  // of it.
  var typed = "";  // the query as the visitor typed it, last seen by processTerm
  var stage = 0;   // which stage of `typed` runs
  function stagesOf(term) {
    return typeof RegSearchTerm === "undefined" ? [term] : RegSearchTerm.stages(term);
  }
  function processTerm(term) {
    var key = String(term || "").replace(/\u200b/g, "").trim();  // see announce()
    if (key !== typed) { typed = key; stage = 0; }
    var all = stagesOf(key);
    return all[Math.min(stage, all.length - 1)] || term;
  }
  // Results show the platform's status and county (metadata of its page) as tags; the
  // key-string field is for matching only.
  function processResult(result) {
    if (result.meta) delete result.meta[typeof RegSearchTerm === "undefined" ? "k" : RegSearchTerm.FIELD];
    return result;
  }

  var ui = new PagefindUI({
    element: "#reg-search",
    showSubResults: false,
    showImages: false,
    resetStyles: false,
    // A query from the header runs at once; focusing the box then would only raise
    // the on-screen keyboard over the results on a phone.
    autofocus: !q,
    pageSize: 10,
    processTerm: processTerm,
    processResult: processResult,
    translations: {
      placeholder: "输入关键词，例如 检验检测、创业辅导、县（市、区）名称",
      zero_results: "未找到与“[SEARCH_TERM]”相关的结果",
      many_results: "找到 [COUNT] 个与“[SEARCH_TERM]”相关的结果",
      one_result: "找到 [COUNT] 个与“[SEARCH_TERM]”相关的结果"
    }
  });

  function relabel() {
    var named = box.querySelectorAll(".pagefind-ui__filter-name, .pagefind-ui__filter-group-label");
    Array.prototype.forEach.call(named, function (el) {
      var label = LABELS[el.textContent.trim().toLowerCase()];
      if (label && el.textContent !== label) el.textContent = label;
    });
    var input = box.querySelector(".pagefind-ui__search-input");
    if (input) {
      // Material turns a title into a floating tooltip that covers the filters; the
      // placeholder already says the same, and the label names the box.
      if (input.hasAttribute("title")) input.removeAttribute("title");
      if (!input.hasAttribute("aria-label")) input.setAttribute("aria-label", "搜索关键词");
    }
  }
  // Pagefind UI redraws its result message as a new element each time, which screen
  // readers do not announce; a live region that already exists repeats the final
  // message ("找到 3 个…", "未找到…") (WCAG 4.1.3).
  var status = document.createElement("p");
  status.id = "reg-search-status";
  status.className = "reg-visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  box.parentNode.insertBefore(status, box.nextSibling);

  function announce() {
    var message = box.querySelector(".pagefind-ui__message");
    var text = message ? message.textContent.trim() : "";
    if (/未找到/.test(text) && typed && stage < stagesOf(typed).length - 1) {
      // This stage found nothing: the next one. Pagefind UI searches again only for a
      // term other than the last, so the same words are sent with and without a
      // zero-width space (invisible in its message; processTerm drops it). The box is
      // busy meanwhile: its interim "not found" is hidden and not announced.
      stage += 1;
      box.setAttribute("aria-busy", "true");
      ui.triggerSearch(stage % 2 ? typed + "\u200b" : typed);
      return;
    }
    if (/找到/.test(text)) box.removeAttribute("aria-busy");
    if (/找到/.test(text) && status.textContent !== text) status.textContent = text;
  }

  relabel();
  new MutationObserver(function () { relabel(); announce(); })
    .observe(box, { childList: true, subtree: true, characterData: true });

  if (q) {
    ui.triggerSearch(q);
    var header = document.getElementById("reg-header-q");
    if (header) header.value = q;
  }
})();
