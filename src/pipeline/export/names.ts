import { usageError } from '../../errors.js';

/**
 * Names of exported files, from a template such as `{type}/{date}_{title}.{ext}`. Only the
 * template's own slashes make folders: a field's value is one name whatever it holds, so a title
 * like `../../x` or one with a slash, a control character or a bidi override becomes an ordinary
 * name inside the export folder. Names are also kept portable (Windows' reserved names and
 * characters, no leading dot, no trailing dot or space) and short enough for every filesystem.
 */

export const TEMPLATE_FIELDS = ['type', 'date', 'year', 'month', 'title', 'correspondent', 'tags', 'id', 'sha8', 'ext'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export type NameFacts = Record<TemplateField, string>;

export interface Template {
  source: string;
  /** Folder levels, each a list of literal text and fields. */
  segments: (string | { field: TemplateField })[][];
}

/** Bytes of one name at most (255 on common filesystems), leaving room for " (12)" and ".metadata.json". */
const MAX_NAME_BYTES = 200;
const MAX_SEGMENTS = 16;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

export function parseTemplate(source: string): Template {
  if (source.length > 1024) throw templateError(source, 'it is longer than 1024 characters');
  const segments = source.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0) throw templateError(source, 'it names no file');
  if (segments.length > MAX_SEGMENTS) throw templateError(source, `it has more than ${MAX_SEGMENTS} folder levels`);
  const parsed = segments.map((segment) => {
    if (segment === '..') throw templateError(source, '".." would leave the export folder');
    const pieces: (string | { field: TemplateField })[] = [];
    let rest = segment;
    for (let brace = rest.indexOf('{'); brace >= 0; brace = rest.indexOf('{')) {
      const end = rest.indexOf('}', brace);
      if (end < 0) throw templateError(source, `"${rest.slice(brace)}" is not closed`);
      const name = rest.slice(brace + 1, end);
      if (!(TEMPLATE_FIELDS as readonly string[]).includes(name)) throw templateError(source, `{${name}} is not a field`);
      if (brace > 0) pieces.push(rest.slice(0, brace));
      pieces.push({ field: name as TemplateField });
      rest = rest.slice(end + 1);
    }
    if (rest.includes('}')) throw templateError(source, 'a "}" without its "{"');
    if (rest !== '') pieces.push(rest);
    return pieces;
  });
  return { source, segments: parsed };
}

function templateError(source: string, why: string) {
  return usageError('E_EXPORT_TEMPLATE', `the export template "${source}" is not usable: ${why}`, `fields: ${TEMPLATE_FIELDS.map((field) => `{${field}}`).join(' ')}; a / makes a folder`);
}

/** The template filled in: a relative path whose every name is safe. */
export function renderName(template: Template, facts: NameFacts): string[] {
  return template.segments.map((pieces, index) => {
    const last = index === template.segments.length - 1;
    const text = pieces.map((piece) => (typeof piece === 'string' ? piece : valueName(facts[piece.field]))).join('');
    return safeName(text, last);
  });
}

/** A field's value as part of a name: a slash or backslash in it is not a folder. */
function valueName(value: string): string {
  return value.replace(/[/\\]/g, '-');
}

/** Any text as one portable, visible file or folder name. */
export function safeName(text: string, keepExtension = false): string {
  let name = text
    .normalize('NFC')
    // C0 and C1 controls, DEL, line and paragraph separators, bidi controls, zero-width joiners.
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, ' ')
    .replace(/[<>:"|?*/\\]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (name === '' || name === '.' || name === '..') name = '_';
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  return truncateName(name, keepExtension);
}

/** Cut to MAX_NAME_BYTES of UTF-8 on a character boundary, keeping a short extension. */
function truncateName(name: string, keepExtension: boolean): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = keepExtension && dot > 0 && name.length - dot <= 12 ? name.slice(dot) : '';
  let stem = '';
  for (const char of extension ? name.slice(0, dot) : name) {
    if (Buffer.byteLength(stem + char) + Buffer.byteLength(extension) > MAX_NAME_BYTES) break;
    stem += char;
  }
  return `${stem.trimEnd()}${extension}`;
}

/** `name.ext` as `name (n).ext`: the n-th choice when a name is taken. */
export function numbered(segments: readonly string[], n: number): string[] {
  if (n <= 1) return [...segments];
  const last = segments[segments.length - 1] as string;
  const dot = last.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [last.slice(0, dot), last.slice(dot)] : [last, ''];
  return [...segments.slice(0, -1), truncateName(`${stem} (${n})${extension}`, true)];
}

/** How a path is compared for uniqueness: case-insensitive filesystems (macOS, Windows) see these as one. */
export function nameKey(relativePath: string): string {
  return relativePath.normalize('NFC').toLowerCase();
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/tiff': 'tif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/gif': 'gif',
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'text/html': 'html',
  'application/json': 'json',
  'message/rfc822': 'eml',
  'application/mbox': 'mbox',
  'application/rtf': 'rtf',
  'application/epub+zip': 'epub',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
};

/** The extension for a document: by its type, else the one of its original name, else bin. */
export function extensionFor(mime: string, originalName: string): string {
  const known = EXTENSIONS[mime];
  if (known) return known;
  const own = /\.([A-Za-z0-9]{1,10})$/.exec(originalName)?.[1];
  return own ? own.toLowerCase() : 'bin';
}

export function nameFacts(document: { id: number; sha256: string; mime: string; originalName: string; type: string; title: string; date: string | null; correspondent: string | null; tags: readonly string[] }): NameFacts {
  const stem = document.originalName.replace(/\.[^.]*$/, '');
  return {
    type: document.type || 'other',
    date: document.date ?? 'undated',
    year: document.date?.slice(0, 4) ?? 'undated',
    month: document.date?.slice(5, 7) ?? 'undated',
    title: document.title.trim() || stem || 'untitled',
    correspondent: document.correspondent?.trim() || 'unknown',
    tags: document.tags.length > 0 ? document.tags.join(',') : 'untagged',
    id: String(document.id),
    sha8: document.sha256.slice(0, 8),
    ext: extensionFor(document.mime, document.originalName),
  };
}
