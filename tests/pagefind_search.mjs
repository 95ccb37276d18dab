// Runs Pagefind's own search (pagefind/pagefind.js and its WebAssembly) in Node against a
// built site folder, the way the search page does, and prints the results as JSON.
//
//   node tests/pagefind_search.mjs SITE_DIR '[{"term": "检验检测"}, {"term": "平台", "filters": {"county": "竞秀区"}}]'
//
// prints {"filters": {filter: {value: count}}, "searches": [[{url, title, meta, filters, excerpt}], ...]}.
// Each term is searched as the search page searches it (docs/content/assets/search.js):
// in the stages of docs/content/assets/searchterm.js (exact phrase of single characters,
// as typed, single characters), until one finds something. {"raw": true} searches it
// only as typed;
// {"limit": N} loads only the first N results.
// pagefind.js fetches its files relative to its own URL; Node's fetch cannot read file:
// URLs, so this script answers those requests from the disk.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const [site, searchesArg] = process.argv.slice(2);
// "-" reads the searches from standard input (thousands of them do not fit in an argument)
const searches = JSON.parse(searchesArg === "-" ? readFileSync(0, "utf-8") : searchesArg);
const require = createRequire(import.meta.url);
const { stages } = require(fileURLToPath(new URL("../docs/content/assets/searchterm.js", import.meta.url)));

const networkFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === "string" ? input : (input.url ?? String(input));
  if (!url.startsWith("file:")) return networkFetch(input, init);
  try {
    return new Response(await readFile(fileURLToPath(url.split(/[?#]/)[0])), { status: 200 });
  } catch {
    return new Response("", { status: 404 });
  }
};

const pagefind = await import(pathToFileURL(`${site}/pagefind/pagefind.js`).href);
await pagefind.options({ basePath: pathToFileURL(`${site}/pagefind/`).href, baseUrl: "/" });
await pagefind.init();

const out = { filters: await pagefind.filters(), searches: [] };
for (const { term, filters, raw, limit } of searches) {
  const options = filters ? { filters } : {};
  let found = null;
  const tried = raw || term == null ? [term] : stages(term);
  for (const t of tried.length ? tried : [term]) {
    found = await pagefind.search(t, options);
    if (found.results.length > 0) break;
  }
  const data = await Promise.all(found.results.slice(0, limit ?? found.results.length).map((r) => r.data()));
  out.searches.push(
    data.map((d) => ({ url: d.url, title: d.meta.title, meta: d.meta, filters: d.filters, excerpt: d.excerpt })),
  );
}
// Pagefind keeps a worker-like timer alive; leave as soon as the answer is written.
process.stdout.write(JSON.stringify(out), () => process.exit(0));
