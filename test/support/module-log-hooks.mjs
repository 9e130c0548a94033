// @ts-check
// Loader hooks for module-log.mjs (they run on the loader's own thread).
import fs from 'node:fs';

let file;
let match = '';

export async function initialize(data) {
  file = data.file;
  match = data.match;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (file && result.url.includes(match)) fs.appendFileSync(file, `${result.url}\n`);
  return result;
}
