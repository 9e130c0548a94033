import type { Command } from 'commander';
import { createContext, type CommandContext } from '../context.js';
import { localBlobPaths, searchCatalogue, type SearchHit } from '../../app/search.js';
import { buildTree, hasText, type FilterFlags } from '../filters.js';
import { formatDocumentId } from '../../app/ids.js';
import { paint, renderTable, truncateMiddle, writeJson, writeNdjson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';
import { terminalSafe } from '../../text/terminal.js';

export interface SearchFlags extends FilterFlags {
  ndjson?: boolean;
  paths?: boolean;
  null?: boolean;
}

export async function searchCommand(words: string[], flags: SearchFlags, command: Command): Promise<number> {
  return runSearch(words.join(' '), flags, command, 'search');
}

export async function listCommand(filters: string[], flags: SearchFlags, command: Command): Promise<number> {
  return runSearch(filters.join(' '), flags, command, 'list');
}

async function runSearch(query: string, flags: SearchFlags, command: Command, mode: 'search' | 'list'): Promise<number> {
  const context = await createContext(command);
  const tree = buildTree(query, flags);
  if (mode === 'search' && !tree) throw usageError('E_USAGE', 'nothing to search for', 'give words or filters, e.g. doccat search acme type:invoice');
  if (mode === 'list' && hasText(tree)) {
    throw usageError('E_USAGE', 'list takes filters only (type:invoice, --tag tax, ...)', 'use `doccat search WORDS` to search text');
  }
  if (flags.null) flags.paths = true;
  if (flags.paths && (context.output.json || flags.ndjson)) throw usageError('E_USAGE', '--paths cannot be combined with --json or --ndjson', 'pick one output format');
  const answer = await searchCatalogue(context, { tree, mode, sort: flags.sort, limit: flags.limit, offset: flags.offset });
  if (answer.kind === 'failures') {
    const { total, hits } = answer;
    if (context.output.json) writeJson({ total, failures: hits });
    else if (flags.ndjson) for (const hit of hits) writeNdjson(hit);
    else if (flags.paths) for (const hit of hits) writePath(hit.path, Boolean(flags.null));
    else if (hits.length > 0) {
      process.stdout.write(`${await renderTable(['path', 'code', 'message'], hits.map((hit) => [truncateMiddle(hit.path, 60), hit.code ?? '', truncateMiddle(hit.message ?? '', 60)]), context.output.color)}\n`);
      footer(context, hits.length, total, flags.offset);
    }
    return ExitCode.ok;
  }
  const { total, totalIsEstimate, hits } = answer;
  if (context.output.json) {
    // Postgres gives the planner's estimate when very many documents match (db/search/postgres-estimates.ts).
    writeJson({ query, total, ...(totalIsEstimate ? { totalIsEstimate: true } : {}), offset: flags.offset, results: hits.map(hitView) });
  } else if (flags.ndjson) {
    for (const hit of hits) writeNdjson(hitView(hit));
  } else if (flags.paths) {
    const stored = await localBlobPaths(context, hits);
    hits.forEach((hit, index) => {
      const blobPath = stored[index];
      if (blobPath !== undefined) writePath(blobPath, Boolean(flags.null));
      else process.stderr.write(`doccat: ${formatDocumentId(hit.id)} is stored in the ${hit.blobBackend} backend, which has no local path; use doccat get ${formatDocumentId(hit.id)} -o FILE\n`);
    });
  } else if (hits.length > 0) {
    const color = context.output.color;
    const head = ['id', 'date', 'type', 'title', 'correspondent', ...(mode === 'search' ? ['snippet'] : [])];
    const rows = hits.map((hit) => [
      formatDocumentId(hit.id),
      hit.date ?? '',
      hit.type,
      truncateMiddle(hit.title, 40),
      truncateMiddle(hit.correspondent ?? '', 24),
      ...(mode === 'search' ? [renderSnippet(hit, color)] : []),
    ]);
    process.stdout.write(`${await renderTable(head, rows, color)}\n`);
    footer(context, hits.length, total, flags.offset, totalIsEstimate);
  }
  return ExitCode.ok;
}

/**
 * A newline is a legal character in a file name; NUL is the one byte no path can hold. With -0 the
 * path goes out as bytes, exact for xargs -0 (the terminal guard would escape the NUL), and made
 * safe only when a terminal is reading.
 */
function writePath(filePath: string, nul: boolean): void {
  if (!nul) process.stdout.write(`${filePath}\n`);
  else process.stdout.write(Buffer.from(`${process.stdout.isTTY ? terminalSafe(filePath) : filePath}\0`));
}

function footer(context: CommandContext, shown: number, total: number, offset: number, estimate = false): void {
  if (!context.output.quiet && shown < total) process.stderr.write(`showing ${offset + 1}-${offset + shown} of ${estimate ? 'about ' : ''}${total}; use --offset/--limit for more\n`);
}

function hitView(hit: SearchHit) {
  return {
    id: hit.id,
    ref: formatDocumentId(hit.id),
    title: hit.title,
    type: hit.type,
    date: hit.date,
    correspondent: hit.correspondent,
    tags: hit.tags,
    method: hit.method,
    mime: hit.mime,
    addedAt: hit.addedAt,
    score: hit.score,
    snippet: hit.snippet,
    highlights: hit.highlights,
    paths: hit.paths,
  };
}

/** About 60 characters around the first match; colour on a terminal, [brackets] otherwise. */
export function renderSnippet(hit: Pick<SearchHit, 'snippet' | 'highlights'>, color: boolean, width = 60): string {
  if (!hit.snippet) return '';
  const first = hit.highlights[0]?.[0] ?? 0;
  const start = Math.max(0, Math.min(first - 15, hit.snippet.length - width));
  const end = Math.min(hit.snippet.length, start + width);
  let out = start > 0 ? '…' : '';
  let cursor = start;
  // Pieces of document text are made safe before the highlights are styled around them.
  const piece = (from: number, to: number) => terminalSafe((hit.snippet as string).slice(from, to));
  for (const [from, to] of hit.highlights) {
    if (to <= start || from >= end) continue;
    out += piece(cursor, Math.max(cursor, from));
    const word = piece(Math.max(from, start), Math.min(to, end));
    out += color ? paint(true, 'yellow', paint(true, 'bold', word)) : `[${word}]`;
    cursor = Math.min(to, end);
  }
  out += piece(cursor, end);
  return end < hit.snippet.length ? `${out}…` : out;
}
