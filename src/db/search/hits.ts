import type { HitRow, SearchHit } from './types.js';

/** Marks the snippet() boundaries with control characters that cannot occur in indexed text. */
export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

/** A result row and its marked snippet (if any) as what search returns. */
export function toHit(row: HitRow, marked: string | undefined): SearchHit {
  const { text, highlights } = marked ? parseSnippet(marked) : { text: null, highlights: [] };
  return {
    id: row.id,
    title: row.title,
    type: row.type,
    date: row.document_date,
    correspondent: row.correspondent,
    tags: JSON.parse(row.tags) as string[],
    method: row.method,
    mime: row.mime,
    addedAt: row.added_at,
    blobBackend: row.blob_backend,
    blobKey: row.blob_key,
    score: row.score === null ? null : Math.round(row.score * 1000) / 1000,
    snippet: text,
    highlights,
    paths: row.paths ? (JSON.parse(row.paths) as string[]) : [],
  };
}

/** Strips the snippet markers and returns where the highlighted words are in the plain text. */
export function parseSnippet(marked: string): { text: string; highlights: [number, number][] } {
  let text = '';
  const highlights: [number, number][] = [];
  let start = -1;
  for (const char of marked.replace(/\s+/g, ' ')) {
    if (char === MARK_START) start = text.length;
    else if (char === MARK_END) {
      if (start >= 0) highlights.push([start, text.length]);
      start = -1;
    } else text += char;
  }
  return { text, highlights };
}
