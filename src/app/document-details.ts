import path from 'node:path';
import type { AppContext } from './context.js';
import { openCatalog } from './catalog.js';
import { formatDocumentId, parseDocumentId } from './ids.js';
import { DoccatError, ExitCode } from '../errors.js';
import type { AuditRow, ClassificationRow, DocumentRow, SourceRow } from '../db/documents.js';
import type { RelatedDocument } from '../db/document-parts.js';
import type { Sighting } from '../db/provenance.js';

// The rows the commands that show documents print (show, get, edit), named here so that they need not reach into db/.
export { storedSearchable, type AuditRow, type ClassificationRow, type DocumentChanges, type DocumentRow, type FieldValue, type SourceRow, type StoredBlob } from '../db/documents.js';
export type { RelatedDocument } from '../db/document-parts.js';
export type { Sighting } from '../db/provenance.js';

/** Everything the catalogue knows about one document. */
export interface DocumentDetails {
  document: DocumentRow;
  sources: SourceRow[];
  history: ClassificationRow[];
  audit: AuditRow[];
  /** The builds it was seen in (provenance). */
  sightings: Sighting[];
  /** Archive members: what it holds, and what holds it. */
  membership: { members: { id: number; member: string }[]; containedIn: { id: number; member: string }[] };
  /** Documents inside documents: an e-mail and its attachments, an mbox and its messages. */
  family: { parents: RelatedDocument[]; children: RelatedDocument[] };
}

/**
 * A document by id (12, D12) or by the path it was ingested from; a path that failed gives its
 * source row only, so that the user sees why. Neither: E_NOT_FOUND.
 */
export async function documentDetails(context: AppContext, target: string): Promise<{ details: DocumentDetails } | { failedSource: SourceRow }> {
  const catalog = await openCatalog(context, { readonly: true });
  try {
    const id = parseDocumentId(target);
    let document: DocumentRow | undefined;
    let source: SourceRow | undefined;
    if (id !== undefined && !target.includes('/')) {
      document = await catalog.repository.getDocument(id);
    } else {
      source = await catalog.repository.findSourceByPath(path.resolve(target));
      if (source?.document_id !== null && source?.document_id !== undefined) document = await catalog.repository.getDocument(source.document_id);
    }
    if (!document && !source) {
      throw new DoccatError('E_NOT_FOUND', `no document ${id !== undefined ? formatDocumentId(id) : `from ${target}`} in the catalogue`, {
        hint: id !== undefined ? 'find ids with `doccat list` or `doccat search`' : 'ingest the file first: doccat ingest PATH',
        exitCode: ExitCode.usage,
      });
    }
    if (!document && source) return { failedSource: source };
    const doc = document as DocumentRow;
    const sources = await catalog.repository.getSources(doc.id);
    const history = await catalog.repository.getClassificationHistory(doc.id);
    const audit = await catalog.repository.getAudit(doc.id);
    const { ProvenanceRepository } = await import('../db/provenance.js');
    const provenanceRepository = new ProvenanceRepository(catalog.database.db);
    const sightings = await provenanceRepository.sightingsOf([doc.id]);
    const membership = await provenanceRepository.membersOf(doc.id);
    const { childrenOf, parentsOf } = await import('../db/document-parts.js');
    const family = { parents: await parentsOf(catalog.database.db, doc.id), children: await childrenOf(catalog.database.db, doc.id) };
    return { details: { document: doc, sources, history, audit, sightings, membership, family } };
  } finally {
    await catalog.close();
  }
}
