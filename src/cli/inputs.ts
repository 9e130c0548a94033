import fs from 'node:fs';
import { usageError } from '../errors.js';

/**
 * What is named on the command line must be there: a typo or a share that is not mounted is a
 * usage error before anything runs (exit 2), not a failed file recorded in the catalogue for
 * good, nor a watch that waits for ever on a folder that does not exist. What exists but cannot
 * be read is left to the walk, which reports it per entry as it does for what it finds inside.
 */
export function assertInputsExist(paths: readonly string[], kind: 'file or folder' | 'folder'): void {
  for (const given of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(given);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') continue;
      throw usageError('E_INPUT_NOT_FOUND', `${given}: no such ${kind}`, 'check the path: a typo, or a share that is not mounted?');
    }
    if (kind === 'folder' && !stat.isDirectory()) throw usageError('E_USAGE', `${given} is not a folder`, 'name the folders to watch');
  }
}
