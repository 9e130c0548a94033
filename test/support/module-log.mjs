// @ts-check
// Loaded with `node --import` (NODE_OPTIONS): appends every module URL the ESM loader resolves that
// contains DOCCAT_TEST_MODULE_MATCH to the file DOCCAT_TEST_MODULE_LOG, to see what a run loaded.
import { register } from 'node:module';

if (process.env.DOCCAT_TEST_MODULE_LOG) register('./module-log-hooks.mjs', import.meta.url, { data: { file: process.env.DOCCAT_TEST_MODULE_LOG, match: process.env.DOCCAT_TEST_MODULE_MATCH ?? '' } });
