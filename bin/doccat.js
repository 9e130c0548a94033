#!/usr/bin/env node
// Thin shim: the CLI is built into dist/app/ by `npm install` (prepare), `npm pack` (prepack) or
// `npm run build`. Scripts and completions ask for the version in loops: it is answered here,
// before any of doccat loads.
import fs from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * V8's compiled code kept between runs (Node 22.1 and later; a no-op before): about 20-30 ms of a
 * search's start on Node 24. In the user's own cache folder, never Node's default under a shared
 * /tmp, where another user could have made the folder first and put code in it.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
function enableCompileCache() {
  if (typeof module.enableCompileCache !== 'function') return;
  try {
    const cacheHome = process.env.XDG_CACHE_HOME && path.isAbsolute(process.env.XDG_CACHE_HOME) ? process.env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
    const folder = path.join(cacheHome, 'doccat', 'compile-cache');
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(folder);
    if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) return;
    module.enableCompileCache(folder);
  } catch {
    // No home, a read-only one: start without the cache.
  }
}

if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  process.stdout.write(`${JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  enableCompileCache();
  import('../dist/app/main.js').catch((error) => {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/app/main.js')) {
      process.stderr.write('doccat: the CLI is not built yet; run `npm run build` (npm install does it for you)\n');
      process.exit(1);
    }
    throw error;
  });
}
