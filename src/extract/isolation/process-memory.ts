import fs from 'node:fs';

/**
 * Resident memory of a process in bytes (Linux /proc), or undefined where there is no /proc.
 * RSS is what counts: decoded images (ArrayBuffers) and the native canvas live outside the V8
 * heap that --max-old-space-size bounds. VmRSS in /proc/<pid>/status is in kB, so unlike statm's
 * page counts it needs no page size (4 kB on x86-64, often 16 or 64 kB on arm64).
 */
export function residentBytes(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
