import type { Unpacker } from './unpacker.js';

/**
 * An archive's listing as it is read: member names and sizes up to `maxEntries` (past it only
 * counted), and the contents of the few members that hold package metadata, each at most
 * MEMBER_BYTES. A listing is cut, never failed, when an archive is larger than the limits: the
 * archive is still catalogued, with W_LISTING_TRUNCATED.
 */

export interface ListedEntry {
  name: string;
  size: number;
  kind: 'file' | 'directory' | 'link' | 'other';
}

/** Metadata files are small; one claiming more is not read. */
export const MEMBER_BYTES = 1024 * 1024;

export class Listing {
  readonly entries: ListedEntry[] = [];
  /** Set for `ingest --unpack`: members are also written out. */
  unpacker: Unpacker | undefined;
  /** Every member seen, including those past maxEntries. */
  count = 0;
  files = 0;
  unpackedBytes = 0;
  truncated: string | undefined;
  readonly members = new Map<string, Buffer>();

  constructor(
    readonly maxEntries: number,
    /** Which members' contents are wanted (package metadata). */
    readonly wants: (name: string) => boolean,
  ) {}

  add(entry: ListedEntry): void {
    this.count += 1;
    if (entry.kind === 'file') {
      this.files += 1;
      this.unpackedBytes += entry.size;
    }
    if (this.entries.length < this.maxEntries) this.entries.push(entry);
    else this.truncated ??= `more than ${this.maxEntries} entries; only the first ${this.maxEntries} are listed`;
  }

  keep(name: string, content: Buffer): void {
    if (!this.members.has(name)) this.members.set(name, content);
  }

  /** One line per member: its name and size, the words search finds it by. */
  text(): string {
    return this.entries.map((entry) => (entry.kind === 'directory' ? `${entry.name}/` : entry.kind === 'file' ? `${entry.name} ${entry.size}` : entry.name)).join('\n');
  }
}

/** Thrown by a sink to stop a decoder early: the listing has what it may take. */
export class StopReading extends Error {
  constructor() {
    super('stop reading');
  }
}
