import fs from 'node:fs';

/** State and start time of a process (fields 3 and 22 of /proc/PID/stat), undefined once it is gone. */
export function procStat(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] as string, started: fields[19] as string };
  } catch {
    return undefined;
  }
}

/**
 * Still running, and (given its start time) as the same process: a zombie waiting for a busy or
 * absent reaper holds neither memory nor files, and on a loaded machine a pid may already belong
 * to someone else.
 */
export function stillRunning(pid: number, started?: string): boolean {
  const now = procStat(pid);
  return now !== undefined && now.state !== 'Z' && now.state !== 'X' && (started === undefined || now.started === started);
}

/** Whether a process has ended (gone, or a zombie) within ms, looking every 50 ms. */
export async function endsWithin(pid: number, ms: number, started?: string): Promise<boolean> {
  const until = Date.now() + ms;
  while (stillRunning(pid, started)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
