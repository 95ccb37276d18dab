/* How the site searches a query (used by search.js and by tests/pagefind_search.mjs).

   Record strings are in the index one character a word (generator/render/searchkey.py):
   Pagefind's query segmentation (Intl.Segmenter) and its index-time segmentation (jieba)
   split Chinese differently, and single characters are the same on both sides. So a
   query is tried, until one finds something:
     1. as an exact phrase of single characters (NFKC, lower case, letters and digits
        only, as searchkey.normalize): a full name, address or certificate number finds
        its platform first. Only platform pages hold their strings so; Pagefind scores
        every exact match alike and lists them in page (URL) order;
     2. as typed (Pagefind's own word search, e.g. words of an announcement);
     3. as single characters, each anywhere ("检验检测 某区": both parts on one page). */
var RegSearchTerm = (function () {
  "use strict";
  var KEEP = /[\p{L}\p{N}]/u;
  // The words of a query as generator/render/searchkey.words makes them: each character
  // alone, except runs of ASCII letters and digits.
  function chars(term) {
    var out = [];
    var asciiRun = false;
    Array.from(String(term || "").normalize("NFKC").toLowerCase()).forEach(function (c) {
      if (!KEEP.test(c)) { asciiRun = false; return; }
      var isAscii = c.charCodeAt(0) < 128;
      if (isAscii && asciiRun) out[out.length - 1] += c; else out.push(c);
      asciiRun = isAscii;
    });
    return out;
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
