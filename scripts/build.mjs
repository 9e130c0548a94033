#!/usr/bin/env node
// The build: esbuild writes dist/<layer>/ module by module (what the benchmarks and
// scripts/ import), then esbuild bundles the CLI into dist/app/, which bin/doccat.js runs and the
// package ships. Start-up is why: Node resolves and reads every ES module file on its own, and
// kysely's and zod's many-file builds plus doccat's own modules cost `doccat search` more than
// everything it then does. One file per entry and per lazily imported part reads in a few.
//
// Bundled: the pure-JavaScript packages on the start-up path, officeparser (see INSTALLED), and
// eld, whose language model is rewritten on the way in (see ngramsAsJson).
// (pino is bundled for its destinations; its transports, worker threads it starts by file path,
// would not find their files here, and doccat does not use them.) Everything else stays an
// ordinary import from node_modules: native modules (better-sqlite3, @napi-rs/canvas), packages
// that find their own files at run time (pdfjs-dist's fonts and worker, tesseract.js's worker and
// wasm, its language data), and the rest, which only the commands that need them load.
//
// --prepare (the `prepare` script): skipped under `npm pack`/`npm publish`, where `prepack` builds,
// and only a note where the dev dependencies are not installed.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

if (process.argv.includes('--prepare') && ['pack', 'publish'].includes(process.env.npm_command ?? '')) process.exit(0);

/** Bundled into dist/app/, with whatever they import themselves. */
const BUNDLED = new Set(['pino', 'kysely', 'zod', 'commander', 'fast-string-width', 'ulid', 'picomatch', 'cockatiel', 'officeparser', 'eld']);
/**
 * doccat's installed dependencies: always imported from node_modules at run time, also where a
 * bundled package imports them. officeparser is the reason: it is a build-time (dev) dependency,
 * bundled, so that an installed doccat does not have it ask for its own newer pdfjs-dist and
 * file-type (which need Node 22); its imports of them reach doccat's own versions, the ones
 * package.json's `overrides` give it in development.
 */
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const INSTALLED = new Set(Object.keys(manifest.dependencies ?? {}));
for (const name of ['officeparser', 'eld']) if (INSTALLED.has(name)) throw new Error(`package.json: ${name} is bundled, and belongs in devDependencies`);

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

let esbuild;
try {
  esbuild = require('esbuild');
} catch {
  console.error('doccat build: the build tool (esbuild) is a dev dependency; run `npm install` without --omit=dev');
  // An install without dev dependencies still succeeds; bin/doccat.js then says the CLI is not built.
  process.exit(process.argv.includes('--prepare') ? 0 : 1);
}

// dist/<layer>/, module by module (what the benchmarks and scripts import), transpiled by esbuild
// file by file: type-checking is `npm run typecheck`'s, which covers src/ and test/ in one program
// (npm test runs both), so src/ is not checked twice.
const sources = fs
  .readdirSync(path.join(root, 'src'), { recursive: true })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
// src/app/ (the app layer) would land in dist/app/, the bundle's folder below: its modules go to
// dist/app-layer/ instead, at the same depth, so that their ../<layer>/ imports still resolve.
const outputName = (file) => file.replace(/\.ts$/, '').replace(/^app(?=[\\/])/, 'app-layer');
// Names this build for config/parsed-cache.ts, which keeps configurations zod accepted: an entry
// is only valid for the sources and the zod that checked it.
const buildId = createHash('sha256');
for (const file of [...sources].sort()) buildId.update(file).update(fs.readFileSync(path.join(root, 'src', file)));
buildId.update(fs.readFileSync(require.resolve('zod/package.json')));
const define = { __DOCCAT_BUILD_ID__: JSON.stringify(buildId.digest('hex').slice(0, 32)) };

await esbuild.build({ absWorkingDir: root, entryPoints: sources.map((file) => ({ in: path.join('src', file), out: outputName(file) })), outdir: 'dist', format: 'esm', platform: 'node', target: 'node20.19', sourcemap: true, logLevel: 'warning', define });

// Built beside dist/app/ and swapped in at the end: a doccat still running from dist/app/ (a
// watch, a test) keeps finding its chunks, whose names change only when their content does.
const target = path.join(root, 'dist', 'app');
const outdir = path.join(root, 'dist', 'app.next');
fs.rmSync(outdir, { recursive: true, force: true });

/** Bare imports from doccat's own code are external unless bundled; a bundled package's own imports come along. */
const externals = {
  name: 'doccat-externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const name = packageName(args.path);
      if (BUNDLED.has(name)) return undefined;
      if (INSTALLED.has(name)) return { path: args.path, external: true };
      // A bundled package's own dependencies come along; anything else doccat's code names is
      // installed, or else an optional peer looked for at run time (cosmiconfig's typescript).
      const fromPackage = args.importer.includes(`${path.sep}node_modules${path.sep}`);
      return fromPackage ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * eld's n-gram model is a 950 KB JavaScript object literal: importing it cost every classifying
 * doccat process about 0.7 CPU-seconds (parse, then build 50,000 objects, then collect the
 * garbage). The same data as a JSON string that JSON.parse reads costs about 0.3: V8 scans a
 * string literal and parses JSON far faster than it compiles an object literal. The bundle gets
 * the model's own data (imported here, at build time), so nothing is retyped or trimmed.
 */
const ngramsAsJson = {
  name: 'doccat-eld-ngrams-json',
  setup(build) {
    build.onLoad({ filter: /[\\/]eld[\\/]src[\\/]ngrams[\\/][a-z]+\.js$/ }, async (args) => {
      const { ngramsData } = await import(pathToFileURL(args.path).href);
      if (!ngramsData || typeof ngramsData.ngrams !== 'object') throw new Error(`${args.path}: no ngramsData, has eld's model format changed?`);
      return { contents: `export const ngramsData = JSON.parse(${JSON.stringify(JSON.stringify(ngramsData))});\n`, loader: 'js' };
    });
  },
};

const result = await esbuild.build({
  absWorkingDir: root,
  // Every file a process starts from by path: the CLI, and the extraction child that
  // extract/isolation/pool.ts forks as ./child.js beside itself (chunks and entries share one folder).
  entryPoints: { main: 'src/cli/main.ts', child: 'src/extract/isolation/child.ts', 'train-worker': 'src/app/train-worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  // The bundled CommonJS packages (commander) require Node's own modules.
  banner: { js: "import { createRequire as __doccatCreateRequire } from 'node:module'; const require = __doccatCreateRequire(import.meta.url);" },
  plugins: [externals, ngramsAsJson],
  define,
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
});
fs.writeFileSync(path.join(root, 'dist', 'app-meta.json'), JSON.stringify(result.metafile));

// The bundled packages' licences travel with their code.
const bundledPackages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) bundledPackages.set(match[1], true);
}
const notices = [...bundledPackages.keys()].sort().map((dir) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
  const licenceFile = fs.readdirSync(path.join(root, dir)).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  const text = licenceFile ? fs.readFileSync(path.join(root, dir, licenceFile), 'utf8').trim() : `License: ${manifest.license}`;
  return `${manifest.name}@${manifest.version} (${manifest.license})\n\n${text}\n`;
});
fs.writeFileSync(path.join(outdir, 'THIRD-PARTY-LICENSES.txt'), `Packages bundled into doccat's dist/app/, with their licences.\n\n${notices.join(`\n${'-'.repeat(72)}\n\n`)}`);

const previous = path.join(root, 'dist', 'app.previous');
fs.rmSync(previous, { recursive: true, force: true });
if (fs.existsSync(target)) fs.renameSync(target, previous);
fs.renameSync(outdir, target);
fs.rmSync(previous, { recursive: true, force: true });
