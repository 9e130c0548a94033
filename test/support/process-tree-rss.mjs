#!/usr/bin/env node
// @ts-check
/**
 * Peak resident memory of a process and all its descendants, summed, sampled from /proc.
 * Child processes (extraction children, tesseract worker threads' process) count: a run's cost
 * to the machine is the whole tree, not the parent alone. Linux only (reads /proc).
 *
 * As a command: node test/support/process-tree-rss.mjs -- doccat ingest ... → runs the command,
 * then prints "peak tree RSS: N MB" on stderr and exits with the command's code.
 */
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** pid -> parent pid for every process visible in /proc. */
function parentsByPid() {
  const parents = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  return parents;
}

/** The pid and all its descendants. */
export function processTree(rootPid) {
  const parents = parentsByPid();
  const tree = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!tree.has(pid) && tree.has(parent)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** Resident bytes of one process (VmRSS), 0 when it is gone (or a zombie, which has none). */
export function residentBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function treeResidentBytes(rootPid) {
  return processTree(rootPid).reduce((sum, pid) => sum + residentBytes(pid), 0);
}

/**
 * Samples the tree of rootPid every intervalMs until stop() is called; stop() returns the peak
 * (bytes) and the largest number of processes seen at once.
 */
export function sampleTreeRss(rootPid, intervalMs = 50) {
  let peakBytes = 0;
  let peakProcesses = 0;
  let peakBreakdown = [];
  const sample = () => {
    const pids = processTree(rootPid);
    const each = pids.map((pid) => ({ pid, bytes: residentBytes(pid) }));
    const bytes = each.reduce((sum, process) => sum + process.bytes, 0);
    if (bytes > peakBytes) {
      peakBytes = bytes;
      peakBreakdown = each;
    }
    if (pids.length > peakProcesses) peakProcesses = pids.length;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    get peakBytes() {
      return peakBytes;
    },
    stop() {
      clearInterval(timer);
      return { peakBytes, peakProcesses, peakBreakdown };
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const separator = process.argv.indexOf('--');
  const command = process.argv.slice(separator >= 0 ? separator + 1 : 2);
  if (command.length === 0) {
    process.stderr.write('usage: node test/support/process-tree-rss.mjs -- COMMAND [ARGS...]\n');
    process.exit(2);
  }
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  const sampler = sampleTreeRss(child.pid, 50);
  child.on('close', (code, signal) => {
    const { peakBytes, peakProcesses, peakBreakdown } = sampler.stop();
    const parts = peakBreakdown.map(({ pid, bytes }) => `${pid === child.pid ? 'root' : pid} ${(bytes / 1024 / 1024).toFixed(0)}`).join(' + ');
    process.stderr.write(`peak tree RSS: ${(peakBytes / 1024 / 1024).toFixed(0)} MB (${peakProcesses} processes at most; at the peak, MB: ${parts})\n`);
    process.exit(code ?? (signal ? 128 : 1));
  });
}
