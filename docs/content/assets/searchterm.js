/* How the site searches a query (used by search.js and by tests/pagefind_search.mjs).

   Record strings are in the index one character a word (generator/render/searchkey.py):
   Pagefind's query segmentation (Intl.Segmenter) and its index-time segmentation (jieba)
   split Chinese differently, and single characters are the same on both sides. So a
   query is tried, until one finds something:
     1. as an exact phrase of single characters (NFKC, lower case, letters and digits
        only, as searchkey.normalize): a full name, address or certificate number finds
        its platform first;
     2. as typed (Pagefind's own word search, e.g. words of an announcement);
     3. as single characters, each anywhere ("检验检测 竞秀区": both parts on one page). */
var RegSearchTerm = (function () {
  "use strict";
  var KEEP = /[\p{L}\p{N}]/u;
  function chars(term) {
    return Array.from(String(term || "").normalize("NFKC").toLowerCase()).filter(function (c) {
      return KEEP.test(c);
    });
  }
  function stages(term) {
    var c = chars(term);
    var out = [];
    [c.length ? "\"" + c.join(" ") + "\"" : "", String(term || "").trim(), c.join(" ")].forEach(function (t) {
      if (t && out.indexOf(t) === -1) out.push(t);
    });
    return out;
  }
  return { stages: stages, FIELD: "k" };
})();
if (typeof module !== "undefined" && module.exports) module.exports = RegSearchTerm;
