#!/usr/bin/env node
// Thin shim: the CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import('../dist/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    process.stderr.write('doccat: the CLI is not built yet; run `npm run build` (npm install does it for you)\n');
    process.exit(1);
  }
  throw error;
});
