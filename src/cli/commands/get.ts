import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { resolveDocumentIds } from '../../app/ids.js';
import { blobStores } from '../../app/stores.js';
import { DoccatError, ExitCode, usageError } from '../../errors.js';
import { storedSearchable, type DocumentRow, type StoredBlob } from '../../app/document-details.js';

export interface GetFlags {
  output?: string;
  url?: boolean;
  expires?: number;
  searchable?: boolean;
}

/**
 * Writes a document's original bytes, or with --searchable its searchable PDF, verifying their
 * sha256 before anything is kept.
 */
export async function getCommand(idText: string, options: GetFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const catalog = await openCatalog(context, { readonly: true });
  try {
    const [id] = await resolveDocumentIds(catalog.repository, [idText]);
    const document = await catalog.repository.getDocument(id as number);
    if (!document) throw new DoccatError('E_NOT_FOUND', `no document ${idText}`, { exitCode: ExitCode.usage });
    const blob = options.searchable ? searchableBlob(document, idText) : { sha256: document.sha256, size: document.size, backend: document.blob_backend, key: document.blob_key };
    const what = options.searchable ? 'searchable PDF' : 'original';
    const store = await (await blobStores(context)).open(blob.backend);
    if (options.url) {
      process.stdout.write(`${await store.locate(blob.key, options.expires)}\n`);
      return ExitCode.ok;
    }
    const open = async (): Promise<Readable> => {
      try {
        return await store.get(blob.key);
      } catch (error) {
        if (!(error instanceof DoccatError && error.code === 'E_BLOB_MISSING')) throw error;
        throw new DoccatError('E_BLOB_MISSING', `the ${what} of document ${idText} is missing from the ${store.name} store (${blob.key})`, {
          hint: 'run `doccat storage verify --repair` to restore it from another backend, or ingest the file again',
          exitCode: ExitCode.backendUnavailable,
          cause: error,
        });
      }
    };
    const corrupt = (actual: string) =>
      new DoccatError('E_BLOB_CORRUPT', `the stored ${what} of document ${idText} does not match its checksum (sha256 ${actual.slice(0, 12)}…, expected ${blob.sha256.slice(0, 12)}…)`, {
        hint: 'the blob was damaged on disk; restore it from a backup or ingest the file again',
        exitCode: ExitCode.backendUnavailable,
      });
    const target = options.output;
    if (target === undefined && process.stdout.isTTY) {
      throw usageError('E_USAGE', 'refusing to write a binary document to the terminal', `use -o ${options.searchable ? searchableName(document.original_name) : document.original_name} or -o - to write to stdout`);
    }
    if (target === undefined || target === '-') {
      // Verify first: once bytes are on stdout they cannot be taken back.
      const actual = await hashStream(await open());
      if (actual !== blob.sha256) throw corrupt(actual);
      try {
        await pipeline(await open(), process.stdout, { end: false });
      } catch (error) {
        // The reader stopped reading (`doccat get 12 -o - | head -c 100`): as for any command, an interrupt.
        if ((error as NodeJS.ErrnoException).code === 'EPIPE') return ExitCode.interrupted;
        throw error;
      }
      return ExitCode.ok;
    }
    const destination = path.resolve(target);
    const temp = `${destination}.doccat-${process.pid}.part`;
    // A folder that is not there or not writable is the user's to fix, said before any bytes move.
    try {
      fs.closeSync(fs.openSync(temp, 'wx', 0o600));
      fs.rmSync(temp);
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      const reason = code === 'ENOENT' ? 'its folder does not exist' : code === 'ENOTDIR' ? 'a part of its path is not a folder' : code === 'EACCES' || code === 'EPERM' ? 'no permission to write there' : code === 'EROFS' ? 'a read-only file system' : (error as Error).message;
      throw usageError('E_OUTPUT_UNWRITABLE', `cannot write ${target}: ${reason}`, 'name a file in a folder you can write to, or -o - for stdout');
    }
    const hash = createHash('sha256');
    const source = await open();
    source.on('data', (chunk: Buffer) => hash.update(chunk));
    try {
      await pipeline(source, fs.createWriteStream(temp, { flags: 'wx' }));
      const actual = hash.digest('hex');
      if (actual !== blob.sha256) throw corrupt(actual);
      await fsp.rename(temp, destination);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
    if (!context.output.quiet) process.stderr.write(`wrote ${blob.size} bytes to ${target}\n`);
    return ExitCode.ok;
  } finally {
    await catalog.close();
  }
}

/** The document's searchable PDF, or a usage error saying why it has none. */
function searchableBlob(document: DocumentRow, idText: string): StoredBlob {
  const searchable = storedSearchable(document);
  if (searchable) return searchable;
  const warnings = JSON.parse(document.warnings) as { code: string; message: string }[];
  const why = warnings.find((warning) => warning.code === 'W_NO_SEARCHABLE_PDF')?.message;
  const needed = document.method === 'ocr' || document.method === 'mixed';
  throw new DoccatError('E_NO_SEARCHABLE_PDF', `document ${idText} has no searchable PDF${why ? ` (${why.replace(/^no searchable PDF: /, '')})` : needed ? '' : ': it needed no OCR, its text is in the file itself'}`, {
    hint: needed
      ? 'searchable PDFs are made at ingest when ocr.searchablePdf is on and --no-searchable-pdf is not given; `doccat get ' + idText + '` writes the original'
      : '`doccat get ' + idText + '` writes the original, which is searchable as it is',
    exitCode: ExitCode.usage,
  });
}

function searchableName(originalName: string): string {
  return `${originalName.replace(/\.[^./]+$/, '')}.searchable.pdf`;
}

async function hashStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
