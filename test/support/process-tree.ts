import fs from 'node:fs';

/**
 * The memory a command really uses is its own plus that of every process it started (extraction
 * children, OCR workers run as threads count in their process). Linux only: read from /proc.
 */
function childrenOf(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone between readdir and read
    }
    // The command name is in parentheses and may itself hold spaces or parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(name));
    children.set(parent, list);
  }
  return children;
}

/** The process and all its descendants. */
export function processTree(pid: number): number[] {
  const children = childrenOf();
  const tree: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop() as number;
    tree.push(next);
    pending.push(...(children.get(next) ?? []));
  }
  return tree;
}

function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface TreeSampler {
  /** Stops sampling; the highest sum of resident memory seen over the tree, in bytes. */
  stop(): { peakBytes: number; samples: number };
}

/** Samples the summed resident memory of `pid` and its descendants every `intervalMs`. */
export function sampleTreeMemory(pid: number, intervalMs = 50): TreeSampler {
  let peakBytes = 0;
  let samples = 0;
  const sample = () => {
    const total = processTree(pid).reduce((sum, member) => sum + residentBytes(member), 0);
    peakBytes = Math.max(peakBytes, total);
    samples += 1;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { peakBytes, samples };
    },
  };
}
