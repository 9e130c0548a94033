import { defineCommand, parsePositiveInt } from '../command-definition.js';
import type { ExportFlags, ImportFlags } from './export.js';

export const exportDefinition = defineCommand<[directory: string, query: string[]], ExportFlags>({
  name: 'export',
  group: 'Storage & database:',
  description: 'copy originals under readable names into a folder, with a manifest.json that restores them (doccat import)',
  arguments: [
    { name: '<dir>', description: 'export folder (created if missing)' },
    { name: '[query...]', description: 'words and field:value filters, as in search (none: every document)' },
  ],
  options: [
    { flags: '--template <template>', description: "file names: {type} {date} {year} {month} {title} {correspondent} {tags} {id} {sha8} {ext}; / makes folders (default export.template, '{type}/{date}_{title}.{ext}')" },
    { flags: '--text', description: 'also write each document\'s text beside it (NAME.txt)' },
    { flags: '--metadata', description: 'also write each document\'s metadata beside it (NAME.json)' },
    { flags: '--searchable', description: 'also write each scan\'s searchable PDF beside it (NAME.searchable.pdf); import restores it' },
    { flags: '--since <when>', description: 'only documents added or changed since: 24h, 7d, 2w, or a date' },
    { flags: '--prune', description: 'remove files an earlier export wrote that are no longer exported (only those, and only if unchanged)' },
    { flags: '-j, --jobs <n>', description: 'documents copied at once', parse: parsePositiveInt },
    { flags: '--ndjson', description: 'one JSON object per document as it is done' },
  ],
  filters: 'unpaged',
  help: `
Every original is verified by its sha256 after it is written. A second run copies only what
changed and removes nothing (unless --prune); a run stopped by Ctrl-C or kill -9 is finished by
running it again. Names are made safe: a title never makes folders or leaves the export folder.

Examples:
  $ doccat export ~/Backup/documents
  $ doccat export out/ type:invoice --template '{year}/{correspondent}/{date}_{title}.{ext}' --text
  $ doccat export ~/Backup/documents --searchable
  $ doccat export ~/Backup/documents --prune`,
  run: async (directory, query, options, command) => (await import('./export.js')).exportCommand(directory, query, options, command),
});

export const importDefinition = defineCommand<[directory: string], ImportFlags>({
  name: 'import',
  group: 'Storage & database:',
  description: 'restore the documents of an export (doccat export) into this catalogue; importing twice adds nothing',
  arguments: [{ name: '<dir>', description: 'a folder written by doccat export' }],
  options: [
    { flags: '-j, --jobs <n>', description: 'documents imported at once', parse: parsePositiveInt },
    { flags: '--ndjson', description: 'one JSON object per document as it is done' },
  ],
  help: `
Each file is checked against the sha256 in the manifest before it is stored. Into an empty
catalogue the documents keep their ids. Documents already in the catalogue are left as they are.

Examples:
  $ doccat import ~/Backup/documents
  $ DOCCAT_DATABASE_URL=postgres://... doccat import ~/Backup/documents --json`,
  run: async (directory, options, command) => (await import('./export.js')).importCommand(directory, options, command),
});
