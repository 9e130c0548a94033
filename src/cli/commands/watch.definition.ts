import { OCR_ENGINE_OPTION, defineCommand, parsePositiveInt } from '../command-definition.js';
import type { WatchFlags } from './watch.js';

export const watchDefinition = defineCommand<[dirs: string[]], WatchFlags>({
  name: 'watch',
  group: 'Catalogue:',
  description: 'catalogue each file that arrives in the folders (a scanner drop folder), until stopped',
  arguments: [{ name: '<dirs...>', description: 'folders to watch, recursively' }],
  options: [
    { flags: '--poll [ms]', description: 'poll instead of file events (network shares, bind mounts); default every 1000 ms', parse: parsePositiveInt },
    { flags: '--stable <ms>', description: 'take a file once its size and time have not changed for this long', parse: parsePositiveInt, defaultValue: 2000 },
    { flags: '--archive <dir>', description: 'move each catalogued file here (keeping sub-folders; names are never overwritten)' },
    { flags: '--failed <dir>', description: 'move files that keep failing here, with <name>.error.txt beside them' },
    { flags: '--delete-after-ingest', description: 'delete each file once it is catalogued' },
    { flags: '-j, --jobs <n>', description: 'files at once and OCR workers (default: number of cores)', parse: parsePositiveInt },
    OCR_ENGINE_OPTION,
    { flags: '--no-searchable-pdf', description: 'do not keep a searchable PDF of the scans (ocr.searchablePdf)' },
    { flags: '--ndjson', description: 'one JSON event per file: queued, done, duplicate, unchanged, failed' },
    { flags: '--no-hooks', description: 'run no hooks (hooks.onDocument, onRun, onAlert) while watching' },
  ],
  help: `
Files already in the folders are taken at start; partial names (*.part, *.tmp, *.crdownload, ~$*,
dotfiles) and ingest.exclude globs are ignored. Queued files survive a restart. A failing file is
tried queue.maxAttempts times, then moved to --failed. Ctrl-C or SIGTERM lets in-flight files
finish or go back to the queue, and exits 0.

Examples:
  $ doccat watch ~/Scans/inbox --archive ~/Scans/done --failed ~/Scans/failed
  $ doccat watch /mnt/scanner --poll 2000 --ndjson`,
  run: async (dirs, options, command) => (await import('./watch.js')).watchCommand(dirs, options, command),
});
