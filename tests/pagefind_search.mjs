// Runs Pagefind's own search (pagefind/pagefind.js and its WebAssembly) in Node against a
// built site folder, the way the browser does, and prints the results as JSON.
//
//   node tests/pagefind_search.mjs SITE_DIR '[{"term": "检验检测"}, {"term": "平台", "filters": {"county": "竞秀区"}}]'
//
// prints {"filters": {filter: {value: count}}, "searches": [[{url, title, filters, excerpt}], ...]}.
// pagefind.js fetches its files relative to its own URL; Node's fetch cannot read file:
// URLs, so this script answers those requests from the disk.
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const [site, searchesJson] = process.argv.slice(2);
const searches = JSON.parse(searchesJson);

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
for (const { term, filters } of searches) {
  const found = await pagefind.search(term, filters ? { filters } : {});
  const data = await Promise.all(found.results.map((r) => r.data()));
  out.searches.push(
    data.map((d) => ({ url: d.url, title: d.meta.title, filters: d.filters, excerpt: d.excerpt })),
  );
}
// Pagefind keeps a worker-like timer alive; leave as soon as the answer is written.
process.stdout.write(JSON.stringify(out), () => process.exit(0));
