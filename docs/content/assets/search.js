/* Pagefind search page: the header search box submits ?q=...; run it here. */
(function () {
  "use strict";
  var box = document.getElementById("reg-search");
  if (!box || typeof PagefindUI === "undefined") return;
  var ui = new PagefindUI({
    element: "#reg-search",
    showSubResults: false,
    showImages: false,
    resetStyles: false,
    autofocus: true,
    pageSize: 10,
    translations: { placeholder: "输入关键词，例如 检验检测、创业辅导、竞秀区" }
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) {
    ui.triggerSearch(q);
    var header = document.getElementById("reg-header-q");
    if (header) header.value = q;
  }
})();
