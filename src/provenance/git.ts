import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What the working folder's git repository says: the commit checked out, its branch, and whether tracked files differ from it. */
export interface GitFacts {
  head: string;
  /** null on a detached HEAD (CI checkouts of a tag or a pull request). */
  branch: string | null;
  /** null when git could not be asked (not installed, or a repository owned by another user). */
  dirty: boolean | null;
}

const GIT_TIMEOUT_MS = 5000;

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    // No pager, no prompts, no optional locks: asking must never change or wait for anything.
    const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
    execFile('git', ['-C', cwd, ...args], { timeout: GIT_TIMEOUT_MS, env, maxBuffer: 1024 * 1024 }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

/**
 * The facts of the repository the folder is in, or undefined when it is in none. Asked of git
 * itself; where git refuses (not installed, or CI's "dubious ownership" of a checkout made by
 * another user), HEAD and the branch are read from the .git folder and `dirty` stays unknown.
 */
export async function readGitFacts(cwd: string): Promise<GitFacts | undefined> {
  const head = await git(cwd, ['rev-parse', '--verify', '-q', 'HEAD']);
  if (head && /^[0-9a-f]{40,64}$/.test(head)) {
    const branch = (await git(cwd, ['symbolic-ref', '-q', '--short', 'HEAD'])) || null;
    // Untracked files are left out: a build's own outputs (dist/) would make every build dirty.
    const status = await git(cwd, ['status', '--porcelain', '--untracked-files=no']);
    return { head, branch, dirty: status === undefined ? null : status.length > 0 };
  }
  return readGitFolder(cwd);
}

/** HEAD and branch from the files of the nearest .git folder (or a worktree's .git file). */
function readGitFolder(cwd: string): GitFacts | undefined {
  for (let folder = path.resolve(cwd); ; folder = path.dirname(folder)) {
    const dotGit = path.join(folder, '.git');
    const gitDir = resolveGitDir(dotGit);
    if (gitDir) {
      const head = readSmall(path.join(gitDir, 'HEAD'));
      if (!head) return undefined;
      const symbolic = /^ref: (refs\/heads\/.+)$/.exec(head);
      if (!symbolic) return /^[0-9a-f]{40,64}$/.test(head) ? { head, branch: null, dirty: null } : undefined;
      const ref = symbolic[1] as string;
      const commonDir = readSmall(path.join(gitDir, 'commondir'));
      const common = commonDir ? path.resolve(gitDir, commonDir) : gitDir;
      const sha = readSmall(path.join(common, ref)) ?? packedRef(common, ref);
      return sha ? { head: sha, branch: ref.slice('refs/heads/'.length), dirty: null } : undefined;
    }
    if (path.dirname(folder) === folder) return undefined;
  }
}

function resolveGitDir(dotGit: string): string | undefined {
  try {
    const stat = fs.statSync(dotGit);
    if (stat.isDirectory()) return dotGit;
    const pointer = /^gitdir: (.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
    return pointer ? path.resolve(path.dirname(dotGit), (pointer[1] as string).trim()) : undefined;
  } catch {
    return undefined;
  }
}

function readSmall(file: string): string | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > 4096 ? undefined : text.trim() || undefined;
  } catch {
    return undefined;
  }
}

function packedRef(gitDir: string, ref: string): string | undefined {
  const packed = (() => {
    try {
      return fs.readFileSync(path.join(gitDir, 'packed-refs'), 'utf8');
    } catch {
      return '';
    }
  })();
  for (const line of packed.split('\n')) {
    const [sha, name] = line.split(' ');
    if (name === ref && sha && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
  }
  return undefined;
}
