import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Whether a config file is the user's own: owned by them (or root), writable by no one else, in a
 * folder no one else can write to (or a sticky one, like /tmp, where others cannot replace it).
 * Only such a file may run code: JavaScript configs and `cmd:` secret references. A file anyone
 * else could have written or swapped is read as data only.
 */

export interface TrustProblem {
  /** Why the file is not trusted, e.g. "it is writable by group or others (mode 0664)". */
  reason: string;
  /** The command that makes it trusted. */
  fix: string;
}

/** undefined when the file may run code. Follows a symlink, and checks the link's folder too. */
export function trustProblem(file: string): TrustProblem | undefined {
  // No POSIX owners or modes (Windows): nothing to compare against.
  if (typeof process.getuid !== 'function') return undefined;
  const uid = process.getuid();
  const user = userName(uid);
  const given = path.resolve(file);
  const real = fs.realpathSync(given);
  const stat = fs.statSync(real);
  if (stat.uid !== uid && stat.uid !== 0) return { reason: `it belongs to another user (uid ${stat.uid})`, fix: `chown ${user} ${shellQuote(real)} (as root), or copy it to a file of your own` };
  if ((stat.mode & 0o022) !== 0) return { reason: `it is writable by group or others (mode ${octal(stat.mode)})`, fix: `chmod go-w ${shellQuote(real)}` };
  const folders = new Set([path.dirname(real), path.dirname(given)]);
  for (const folder of folders) {
    const folderStat = fs.statSync(folder);
    if (folderStat.uid !== uid && folderStat.uid !== 0) {
      return { reason: `its folder ${folder} belongs to another user (uid ${folderStat.uid}), who could replace it`, fix: 'move it to a folder of your own, e.g. ~/.config/doccat/' };
    }
    // In a sticky folder only the file's owner (checked above) may rename or delete it.
    const sticky = (folderStat.mode & 0o1000) !== 0;
    if ((folderStat.mode & 0o022) !== 0 && !sticky) {
      return { reason: `its folder ${folder} is writable by group or others (mode ${octal(folderStat.mode)}), who could replace it`, fix: `chmod go-w ${shellQuote(folder)}` };
    }
  }
  return undefined;
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

function userName(uid: number): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(uid);
  }
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
