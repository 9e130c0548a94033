#!/usr/bin/env node
// Thin shim: the CLI is built into dist/app/ by `npm install` (prepare), `npm pack` (prepack) or
// `npm run build`. Scripts and completions ask for the version in loops: it is answered here,
// before any of doccat loads.
import fs from 'node:fs';

if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  process.stdout.write(`${JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  import('../dist/app/main.js').catch((error) => {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/app/main.js')) {
      process.stderr.write('doccat: the CLI is not built yet; run `npm run build` (npm install does it for you)\n');
      process.exit(1);
    }
    throw error;
  });
}
