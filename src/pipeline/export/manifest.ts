import fs from 'node:fs';
import fsp from 'node:fs/promises';
import * as z from 'zod';
import { DoccatError, ExitCode } from '../../errors.js';

/**
 * manifest.json of an export: everything needed to restore its documents (metadata, tags, fields,
 * hand-set marks, classification history, audit, source paths, parts) and where each file is,
 * with its sha256. It is ordinary JSON, written one document per line, so that it is streamed on
 * the way out and read line by line, with bounded lines, on the way in:
 *
 *   {"format":"doccat-export","version":1,...,"documents":[
 *   {...one document...},
 *   {...}
 *   ],"documentCount":2}
 *
 * An export folder is untrusted input when it is imported (it may come from anywhere, or have
 * been edited): every line is validated here, sizes are bounded, and paths must stay inside it.
 */

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_FORMAT = 'doccat-export';
export const MANIFEST_VERSION = 1;
/** A line (one document's record) longer than this is refused: real records are a few kilobytes. */
export const MAX_MANIFEST_LINE_BYTES = 64 * 1024 * 1024;

const MAX_SHORT = 65_536;
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const short = z.string().max(MAX_SHORT);
const timestamp = z.string().max(64);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A path relative to the export folder: plain names joined by '/', never '.', '..', absolute or with NUL or '\'. */
export const relativePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((value) => isSafeRelativePath(value), 'a relative path inside the export folder');

export function isSafeRelativePath(value: string): boolean {
  if (value.startsWith('/') || /[\0\\]/.test(value)) return false;
  return value.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && Buffer.byteLength(segment) <= 255);
}

const fileEntry = z.object({ path: relativePath, sha256, size: count }).strict();

export const manifestDocumentSchema = z
  .object({
    id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    sha256,
    size: count,
    mime: short,
    originalName: short,
    method: short,
    pages: count,
    words: count,
    language: short.nullable(),
    ocrConfidence: z.number().min(0).max(100).nullable(),
    /** The OCR engine that read the scan ("tesseract 5.3.0"); absent in manifests written before engines were recorded. */
    ocrEngine: short.nullable().optional(),
    type: short,
    title: short,
    tags: z.array(short).max(10_000),
    date: short.nullable(),
    correspondent: short.nullable(),
    classification: z.object({ classifier: short, confidence: z.number().min(0).max(1), rule: short }).strict(),
    // Text, or money as the classifier types it ({ amount, currency }: total, subtotal, tax).
    fields: z.record(short, z.union([short, z.object({ amount: z.number().finite(), currency: short.nullable() }).strict()])),
    warnings: z.array(z.object({ code: short, message: short }).strict()).max(10_000),
    metadata: z.record(short, short),
    manualFields: z.array(short).max(10_000),
    addedAt: timestamp,
    updatedAt: timestamp,
    sources: z
      .array(
        z
          .object({
            path: z.string().max(65_536),
            status: z.enum(['catalogued', 'duplicate']),
            sha256: sha256.nullable(),
            size: count.nullable(),
            mtimeMs: z.number().nullable(),
            fileId: short.nullable(),
            ctimeMs: z.number().nullable(),
            firstSeen: timestamp,
            lastSeen: timestamp,
          })
          .strict(),
      )
      .max(1_000_000),
    classificationHistory: z
      .array(
        z
          .object({ classifier: short, type: short, title: short, tags: z.array(short).max(10_000), date: short.nullable(), correspondent: short.nullable(), confidence: z.number().min(0).max(1), rule: short, at: timestamp })
          .strict(),
      )
      .max(1_000_000),
    audit: z.array(z.object({ command: short, field: short, old: z.string().nullable(), new: z.string().nullable(), actor: short, runId: short, at: timestamp }).strict()).max(1_000_000),
    parts: z.array(z.object({ sha256, name: short }).strict()).max(1_000_000),
    files: z
      .object({
        original: fileEntry,
        text: fileEntry,
        // A scan's searchable PDF (export --searchable); import restores it when the file is there.
        searchable: fileEntry.optional(),
        textSidecar: fileEntry.optional(),
        metadataSidecar: fileEntry.optional(),
      })
      .strict(),
  })
  .strict();
export type ManifestDocument = z.infer<typeof manifestDocumentSchema>;

const headerSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    version: z.number().int(),
    doccat: short,
    exportedAt: timestamp,
    catalogId: short,
    template: short,
    documents: z.array(z.never()).max(0),
  })
  .strict();
export type ManifestHeader = Omit<z.infer<typeof headerSchema>, 'documents'>;

/** Writes a manifest to `filePath` (a temporary file; the caller renames it into place). */
export async function writeManifest(filePath: string, header: ManifestHeader, lines: Iterable<string>): Promise<number> {
  const handle = await fsp.open(filePath, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), 0o600);
  let written = 0;
  try {
    const opening = JSON.stringify({ ...header, documents: [] });
    let pending = `${opening.slice(0, -2)}\n`;
    for (const line of lines) {
      pending += `${written > 0 ? ',\n' : ''}${line}`;
      written += 1;
      if (pending.length > 1 << 20) {
        await handle.writeFile(pending);
        pending = '';
      }
    }
    await handle.writeFile(`${pending}${written > 0 ? '\n' : ''}],"documentCount":${written}}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return written;
}

export function manifestError(message: string, hint = 'the export folder is damaged or was not written by doccat export; export it again'): DoccatError {
  return new DoccatError('E_IMPORT_MANIFEST', message, { hint, exitCode: ExitCode.usage });
}

/** A manifest line that parsed as JSON but is not a valid document record: that document fails, the rest go on. */
export interface InvalidDocument {
  line: number;
  id?: unknown;
  error: string;
}

/** One line of a manifest as read back. */
export type ManifestItem = { header: ManifestHeader } | { document: ManifestDocument } | { invalid: InvalidDocument };

/**
 * Reads a manifest line by line: the header first, then each document record (validated, or
 * reported as invalid), and checks the closing line's count. Structural damage (not JSON, a line
 * over the limit, a missing end) is E_IMPORT_MANIFEST and stops the reading.
 */
export async function* readManifest(filePath: string): AsyncGenerator<ManifestItem> {
  const handle = await fsp.open(filePath, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw manifestError(`${filePath} is not a regular file`);
    let lineNumber = 0;
    let documents = 0;
    let ended = false;
    for await (const line of linesOf(handle)) {
      lineNumber += 1;
      if (ended) {
        if (line.trim() === '') continue;
        throw manifestError(`manifest line ${lineNumber}: text after the end of the manifest`);
      }
      if (lineNumber === 1) {
        if (!line.endsWith('"documents":[')) throw manifestError('the manifest does not start like a doccat export manifest');
        const header = headerSchema.safeParse(parseJson(`${line}]}`, lineNumber));
        if (!header.success) {
          const version = (parseJson(`${line}]}`, lineNumber) as { version?: unknown }).version;
          if (typeof version === 'number' && version !== MANIFEST_VERSION) throw manifestError(`the manifest has format version ${version}; this doccat reads version ${MANIFEST_VERSION}`, 'use a doccat version that matches the export, or export again with this one');
          throw manifestError(`the manifest header is not valid: ${header.error.issues[0]?.message ?? ''}`);
        }
        if (header.data.version !== MANIFEST_VERSION) throw manifestError(`the manifest has format version ${header.data.version}; this doccat reads version ${MANIFEST_VERSION}`);
        const { documents: _none, ...rest } = header.data;
        yield { header: rest };
        continue;
      }
      const closing = /^\],"documentCount":(\d+)\}$/.exec(line.trim());
      if (closing) {
        if (Number(closing[1]) !== documents) throw manifestError(`the manifest says it holds ${closing[1]} documents but lists ${documents}`);
        ended = true;
        continue;
      }
      const record = parseJson(line.endsWith(',') ? line.slice(0, -1) : line, lineNumber);
      documents += 1;
      const parsed = manifestDocumentSchema.safeParse(record);
      if (parsed.success) yield { document: parsed.data };
      else yield { invalid: { line: lineNumber, id: (record as { id?: unknown } | null)?.id, error: parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') } };
    }
    if (lineNumber === 0) throw manifestError('the manifest is empty');
    if (!ended) throw manifestError('the manifest ends before its last line (cut off?)');
  } finally {
    await handle.close();
  }
}

function parseJson(text: string, lineNumber: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw manifestError(`manifest line ${lineNumber} is not JSON`);
  }
}

/** Lines of a file, each at most MAX_MANIFEST_LINE_BYTES, decoded as UTF-8. */
async function* linesOf(handle: fsp.FileHandle): AsyncGenerator<string> {
  const buffer = Buffer.allocUnsafe(1 << 20);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let position = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const take = (piece: Buffer): string => {
    const whole = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
    pending = [];
    pendingBytes = 0;
    try {
      return decoder.decode(whole);
    } catch {
      throw manifestError('the manifest is not UTF-8 text');
    }
  };
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    let start = 0;
    const chunk = buffer.subarray(0, bytesRead);
    for (let newline = chunk.indexOf(0x0a, start); newline >= 0; newline = chunk.indexOf(0x0a, start)) {
      if (pendingBytes + newline - start > MAX_MANIFEST_LINE_BYTES) throw manifestError(`a manifest line is longer than ${MAX_MANIFEST_LINE_BYTES / 1024 / 1024} MB`);
      yield take(Buffer.from(chunk.subarray(start, newline)));
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    pendingBytes += rest.length;
    if (pendingBytes > MAX_MANIFEST_LINE_BYTES) throw manifestError(`a manifest line is longer than ${MAX_MANIFEST_LINE_BYTES / 1024 / 1024} MB`);
    if (rest.length > 0) pending.push(Buffer.from(rest));
  }
  if (pendingBytes > 0) yield take(Buffer.alloc(0));
}
