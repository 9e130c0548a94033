import { defineCommand } from '../command-definition.js';
import type { SearchFlags } from './search.js';

export const searchDefinition = defineCommand<[query: string[]], SearchFlags>({
  name: 'search',
  group: 'Find:',
  description: 'full-text search with a small query language and filters',
  arguments: [{ name: '[query...]', description: 'words, "phrases", prefix*, OR, -excluded, (groups), field:value filters' }],
  options: [
    { flags: '--ndjson', description: 'one JSON object per result' },
    { flags: '--paths', description: 'print the stored path of each result, one per line (for xargs)' },
    { flags: '-0, --null', description: 'with --paths: end each path with a NUL byte, not a newline (for xargs -0); implies --paths' },
  ],
  filters: 'paged',
  help: `
Query language:
  invoice acme          both words (accents and case do not matter: muller finds Müller)
  "exact phrase"        the words in this order
  insur*                words starting with insur
  tax OR vat            either word
  invoice -draft        without the word draft
  (tax OR vat) 2024     grouping
Filters (also as flags, e.g. --type invoice):
  type:invoice tag:tax correspondent:"ACME GmbH" date:2024 after:2024-01-01 before:2024-07
  added:7d method:ocr mime:pdf lang:de status:duplicate status:failed path:'*/2024/*' id:12
Artifacts (where their sources were built, their name and size):
  repo:acme/app commit:3f2a1b9 branch:main ref:v1.2.0 run:8812 label:channel=nightly
  name:'*.whl' size>10MB size<=1GB

Examples:
  $ doccat search acme invoice date:2024
  $ doccat search '"payment terms" -overdue' --type invoice --json
  $ doccat search insurance --paths -0 | xargs -0 -r ls -l
No results print nothing and exit 0; a malformed query exits 2 with E_QUERY_SYNTAX, one with more
than 32 words, phrases and filters or 32 levels of parentheses with E_QUERY_TOO_COMPLEX.`,
  run: async (query, options, command) => (await import('./search.js')).searchCommand(query, options, command),
});

export const listDefinition = defineCommand<[filters: string[]], SearchFlags>({
  name: 'list',
  group: 'Find:',
  description: 'list documents by filters (newest first), or failed files with --status failed',
  arguments: [{ name: '[filters...]', description: 'field:value filters, as in search' }],
  options: [
    { flags: '--ndjson', description: 'one JSON object per document' },
    { flags: '--paths', description: 'print the stored path of each document, one per line' },
    { flags: '-0, --null', description: 'with --paths: end each path with a NUL byte, not a newline (for xargs -0); implies --paths' },
  ],
  filters: 'paged',
  help: `
Examples:
  $ doccat list --type invoice --date 2024
  $ doccat list tag:tax --sort date
  $ doccat list --status failed           files that could not be catalogued, and why
  $ doccat list added:1d --json`,
  run: async (filters, options, command) => (await import('./search.js')).listCommand(filters, options, command),
});
