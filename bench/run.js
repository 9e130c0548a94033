#!/usr/bin/env node
// @ts-check
// Benchmarks (not tests): `npm run bench -- startup`, `-- search`, `-- stats`, `-- db`, `-- classify`, `-- classify-quality`, `-- storage`, `-- watch`, `-- ocr`, `-- ocr-memory`, `-- ingest`, `-- hooks`, `-- artifacts`, or all of them; `-- scale` (with `--1m`) only when named.
// Each prints doccat's figure next to a baseline measured in the same run, and their ratio.
import fs from 'node:fs';
import path from 'node:path';
import { corpus, cores, root } from './common.js';
import { benchOcr, benchOcrMemory } from './ocr.js';
import { benchIngest } from './ingest.js';
import { benchStartup } from './startup.js';
import { benchSearch } from './search.js';
import { benchClassify } from './classify.js';
import { benchStorage } from './storage.js';
import { benchDb } from './db.js';
import { benchWatch } from './watch.js';
import { benchStats } from './stats.js';
import { benchHooks } from './hooks.js';
import { benchArtifacts } from './artifacts.js';
import { benchScale } from './scale.js';

const which = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const wanted = which.length > 0 ? which : ['startup', 'search', 'stats', 'db', 'classify', 'classify-quality', 'storage', 'watch', 'ocr', 'ingest', 'hooks', 'artifacts'];

if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  console.error('bench: build first (npm run build)');
  process.exit(2);
}

if (wanted.includes('startup')) await benchStartup();
if (wanted.includes('search')) await benchSearch();
if (wanted.includes('stats')) await benchStats();
if (wanted.includes('watch')) await benchWatch();
if (wanted.includes('db')) await benchDb();
if (wanted.includes('scale')) await benchScale();
if (wanted.includes('storage')) await benchStorage();
if (wanted.includes('classify')) await benchClassify();
if (wanted.includes('classify-quality')) await (await import('./classify-quality.mjs')).benchClassifyQuality(root);
if (wanted.includes('ocr')) await benchOcr({ root, corpus, cores });
if (wanted.includes('ocr-memory')) await benchOcrMemory({ root });
if (wanted.includes('ingest')) await benchIngest();
if (wanted.includes('hooks')) await benchHooks();
if (wanted.includes('artifacts')) await benchArtifacts();
