import type { Command } from 'commander';
import { createContext } from '../context.js';
import { paint, writeJson, type Style } from '../output.js';
import { terminalSafe } from '../../text/terminal.js';
import { ExitCode } from '../../errors.js';
import { documentDetails, storedSearchable, type AuditRow, type ClassificationRow, type DocumentRow, type FieldValue, type RelatedDocument, type Sighting, type SourceRow } from '../../app/document-details.js';
import { formatFieldValue } from '../../classify/classifier.js';
import { formatDocumentId } from '../../app/ids.js';

/** show's own option. */
export interface ShowFlags {
  text?: boolean;
}

export async function showCommand(target: string, options: ShowFlags, command: Command): Promise<number> {
  const withText = Boolean(options.text);
  const context = await createContext(command);
  const found = await documentDetails(context, target);
  if ('failedSource' in found) {
    const source = found.failedSource;
    // A path that failed: show why, so the user can act on it.
    const failed = {
      path: source.path,
      status: source.status,
      error: { code: source.error_code, message: source.error_message, hint: source.error_hint },
      sha256: source.sha256,
      size: source.size,
      lastSeen: source.last_seen,
    };
    if (context.output.json) writeJson({ source: failed });
    else {
      process.stdout.write(
        formatPairs([
          ['path', source.path],
          ['status', source.status, 'red'],
          ['error', `${source.error_code ?? ''} ${source.error_message ?? ''}`.trim()],
          ['hint', source.error_hint ?? ''],
          ['size', source.size === null ? '' : `${source.size} bytes`],
          ['last seen', source.last_seen],
        ], context.output.color),
      );
    }
    return ExitCode.ok;
  }
  const { document: doc, sources, history, audit, sightings, membership, family } = found.details;
  const view = {
    ...documentView(doc, sources, history, audit, withText),
    ...familyView(family),
    provenance: sightings.map(sightingView),
    members: membership.members.map((item) => ({ id: item.id, ref: formatDocumentId(item.id), member: item.member })),
    containedIn: membership.containedIn.map((item) => ({ id: item.id, ref: formatDocumentId(item.id), member: item.member })),
  };
  const manual = new Set(view.manualFields);
  const mark = (field: string, value: string) => (value !== '' && manual.has(field) ? `${value} (manual)` : value);
  if (context.output.json) {
    writeJson({ document: view });
    return ExitCode.ok;
  }
  const pairs: [string, string][] = [
    ['id', formatDocumentId(doc.id)],
    ['title', mark('title', doc.title)],
    ['type', manual.has('type') ? `${doc.type} (manual)` : `${doc.type} (confidence ${doc.class_confidence}, ${doc.classifier}: ${doc.class_rule})`],
    ['date', mark('date', doc.document_date ?? '')],
    ['correspondent', mark('correspondent', doc.correspondent ?? '')],
    ['tags', mark('tags', (JSON.parse(doc.tags) as string[]).join(', '))],
    ['language', doc.language ?? ''],
    ['mime', doc.mime],
    ['method', doc.method],
    ['pages', String(doc.pages)],
    ['words', String(doc.words)],
    ['ocr confidence', doc.ocr_confidence === null ? '' : String(doc.ocr_confidence)],
    ['ocr engine', doc.ocr_engine ?? ''],
    ['size', `${doc.size} bytes`],
    ['sha256', doc.sha256],
    ['blob', `${doc.blob_backend}:${doc.blob_key}`],
    ['searchable PDF', doc.searchable_key === null ? '' : `${doc.searchable_backend}:${doc.searchable_key} (${doc.searchable_size} bytes)`],
    ['added', doc.added_at],
    ...Object.entries(JSON.parse(doc.fields) as Record<string, FieldValue>).map(([key, value]): [string, string] => [`field ${key}`, mark(`field:${key}`, formatFieldValue(value))]),
    ...(JSON.parse(doc.warnings) as { code: string; message: string }[]).map((warning): [string, string] => ['warning', `${warning.code} ${warning.message}`]),
    ...sources.map((item): [string, string] => ['source', `${item.path} (${item.status})`]),
    ...sightings.map((item): [string, string] => ['built', describeSighting(item)]),
    ...membership.containedIn.map((item): [string, string] => ['inside', `${formatDocumentId(item.id)} as ${item.member}`]),
    ...membership.members.map((item): [string, string] => ['member', `${item.member} (${formatDocumentId(item.id)})`]),
    ...family.parents.map((item): [string, string] => ['part of', `${formatDocumentId(item.id)} ${item.title} (as ${item.name || 'an unnamed part'})`]),
    ...family.children.map((item): [string, string] => ['part', `${formatDocumentId(item.id)} ${item.name || item.title} (${item.type}, ${item.mime})`]),
    ...history.map((item): [string, string] => ['classified', `${item.created_at} ${item.classifier}: ${item.type} (${item.confidence})`]),
    ...audit.filter((item) => item.command !== 'ingest').map((item): [string, string] => ['changed', `${item.at} ${item.command} ${item.field}: ${item.old_value ?? '∅'} -> ${item.new_value ?? '∅'} by ${item.actor}`]),
  ];
  process.stdout.write(formatPairs(pairs.filter(([, value]) => value !== '')));
  if (withText) process.stdout.write(`\n${doc.text}\n`);
  return ExitCode.ok;
}

function sightingView(sighting: Sighting) {
  const { id: _id, ...provenance } = sighting.provenance;
  return { path: sighting.path, firstSeen: sighting.firstSeen, lastSeen: sighting.lastSeen, doccatRunId: sighting.doccatRunId, ...provenance };
}

/** One line per build a source was seen in: where, which commit and ref, which run. */
function describeSighting(sighting: Sighting): string {
  const p = sighting.provenance;
  const ref = p.tag ? `tag ${p.tag}` : p.branch ? `branch ${p.branch}` : '';
  const labels = Object.entries(p.labels).map(([key, value]) => `${key}=${value}`).join(' ');
  return [
    sighting.path,
    [p.provider, p.repository ?? '', p.commit ? `@${p.commit.slice(0, 12)}` : ''].join(' ').replace(/ @/, '@').trim(),
    ref,
    p.pullRequest ? `PR ${p.pullRequest}` : '',
    [p.workflow, p.job].filter(Boolean).join('/'),
    p.runId ? `run ${p.runId}${p.runAttempt ? ` attempt ${p.runAttempt}` : ''}` : '',
    p.runUrl ?? '',
    p.git?.dirty ? 'working tree dirty' : '',
    labels,
    sighting.lastSeen,
  ].filter(Boolean).join(' · ');
}

function documentView(doc: DocumentRow, sources: SourceRow[], history: ClassificationRow[], audit: AuditRow[], withText: boolean) {
  return {
    id: doc.id,
    ref: formatDocumentId(doc.id),
    title: doc.title,
    type: doc.type,
    tags: JSON.parse(doc.tags) as string[],
    date: doc.document_date,
    correspondent: doc.correspondent,
    language: doc.language,
    classification: { classifier: doc.classifier, confidence: doc.class_confidence, rule: doc.class_rule },
    fields: JSON.parse(doc.fields) as Record<string, FieldValue>,
    mime: doc.mime,
    method: doc.method,
    pages: doc.pages,
    words: doc.words,
    ocrConfidence: doc.ocr_confidence,
    ocrEngine: doc.ocr_engine,
    size: doc.size,
    sha256: doc.sha256,
    blob: { backend: doc.blob_backend, key: doc.blob_key },
    searchablePdf: storedSearchable(doc) ?? null,
    warnings: JSON.parse(doc.warnings) as { code: string; message: string }[],
    addedAt: doc.added_at,
    manualFields: JSON.parse(doc.manual_fields) as string[],
    sources: sources.map((source) => ({ path: source.path, status: source.status, lastSeen: source.last_seen })),
    classificationHistory: history.map((item) => ({ classifier: item.classifier, type: item.type, title: item.title, tags: JSON.parse(item.tags) as string[], date: item.document_date, correspondent: item.correspondent, confidence: item.confidence, rule: item.rule, at: item.created_at })),
    audit: audit.map((item) => ({ command: item.command, field: item.field, old: item.old_value, new: item.new_value, actor: item.actor, at: item.at, runId: item.run_id })),
    ...(withText ? { text: doc.text } : {}),
  };
}

/** An e-mail's attachments, an mbox's messages, and what a part came out of (the first parent, then all). */
function familyView(family: { parents: RelatedDocument[]; children: RelatedDocument[] }) {
  const related = (item: RelatedDocument) => ({ id: item.id, ref: formatDocumentId(item.id), name: item.name, title: item.title, type: item.type, mime: item.mime });
  return { parentId: family.parents[0]?.id ?? null, parents: family.parents.map(related), children: family.children.map(related) };
}

/** One line per field, whatever a value holds; a value's style is applied after it is made safe. */
function formatPairs(pairs: [string, string, Style?][], color = false): string {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs.map(([key, value, style]) => {
    const safe = terminalSafe(value);
    return `${key.padEnd(width)}  ${style ? paint(color, style, safe) : safe}`;
  }).join('\n') + '\n';
}
