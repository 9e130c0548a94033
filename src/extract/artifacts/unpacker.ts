import fs from 'node:fs';
import path from 'node:path';

/**
 * Members written out of an archive for `ingest --unpack`, inside the extraction process, into
 * a private folder the parent made: numbered files (member names never become paths, so no
 * `../` or link in an archive can write elsewhere), at most `maxBytes` in all (ingest.maxUnpackedMb,
 * the hostile-input limit on inflated bytes) and `maxMembers` files. Past either, the rest is left
 * packed and the archive says so (W_UNPACK_TRUNCATED); it is still catalogued.
 */
export interface UnpackedMember {
  /** The member's name inside the archive. */
  name: string;
  /** Where it was written. */
  file: string;
  size: number;
}

export class Unpacker {
  readonly members: UnpackedMember[] = [];
  written = 0;
  truncated: string | undefined;

  constructor(
    readonly directory: string,
    readonly maxBytes: number,
    readonly maxMembers: number,
  ) {}

  /** A writer for a member of `size` bytes, or undefined when it does not fit the limits. */
  open(name: string, size: number): MemberWriter | undefined {
    if (size <= 0) return undefined;
    if (this.members.length >= this.maxMembers || this.written + size > this.maxBytes) {
      this.truncated ??= `members past ${Math.round(this.maxBytes / 1024 / 1024)} MB or ${this.maxMembers} files were left packed (ingest.maxUnpackedMb)`;
      return undefined;
    }
    const file = path.join(this.directory, `member-${this.members.length}`);
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    this.written += size;
    const member = { name, file, size };
    return new MemberWriter(fd, size, () => this.members.push(member), () => fs.rmSync(file, { force: true }));
  }
}

export class MemberWriter {
  private remaining: number;

  constructor(
    private readonly fd: number,
    size: number,
    private readonly onComplete: () => void,
    private readonly discard: () => void,
  ) {
    this.remaining = size;
  }

  /** Writes at most what the member declared; returns how many bytes of the chunk were its data. */
  write(chunk: Uint8Array): number {
    const part = chunk.byteLength > this.remaining ? chunk.subarray(0, this.remaining) : chunk;
    for (let offset = 0; offset < part.byteLength; ) offset += fs.writeSync(this.fd, part, offset, part.byteLength - offset);
    this.remaining -= part.byteLength;
    return part.byteLength;
  }

  /** Done: kept when every declared byte arrived, discarded otherwise (a cut archive). */
  close(): void {
    fs.closeSync(this.fd);
    if (this.remaining === 0) this.onComplete();
    else this.discard();
  }
}
