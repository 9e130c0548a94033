// @ts-check
// Regenerates doccat.config.example.json from the schema (run after `npm run build`).
import fs from 'node:fs';
import { exampleConfig } from '../dist/config/example.js';

fs.writeFileSync(new URL('../doccat.config.example.json', import.meta.url), `${JSON.stringify(exampleConfig(), null, 2)}\n`);
