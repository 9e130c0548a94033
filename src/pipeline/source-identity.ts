import type fs from 'node:fs';

/**
 * What a source file was when doccat read it: enough to tell later whether the path still names
 * the same, unmodified file. Device and inode tell a replaced file (renamed into place) from the
 * original; ctime changes on every write to the inode, even when mtime is set back.
 */
export interface SourceSnapshot {
  /** `<dev>:<ino>` from a bigint stat: inode numbers can exceed 2^53 on some filesystems. */
  fileId: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

export function snapshotOf(stat: fs.BigIntStats): SourceSnapshot {
  return { fileId: `${stat.dev}:${stat.ino}`, size: Number(stat.size), mtimeMs: Number(stat.mtimeMs), ctimeMs: Number(stat.ctimeMs) };
}

/** True when both describe the same inode, with the same size and times. */
export function sameSource(a: SourceSnapshot, b: SourceSnapshot): boolean {
  return a.fileId === b.fileId && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}
