import type { Kysely } from 'kysely';
import type { CommitResult, DocumentRepository, NewDocument, SourceSighting } from './documents.js';
import type { Database } from './schema.js';

/** SQL about documents that came out of other documents (migration 0017): attachments, mbox messages. */

export interface PartLink {
  childId: number;
  /** The part's name in its parent (an attachment's file name). */
  name: string;
}

export interface RelatedDocument {
  id: number;
  /** Its name in the parent (for a child), or the child's name in that parent (for a parent). */
  name: string;
  position: number;
  title: string;
  type: string;
  mime: string;
}

/**
 * Links a parent to its parts in order. Positions are the parts' places in the parent; a link
 * that exists already is left as it is, so recording a family again adds nothing.
 */
export async function linkParts(db: Kysely<Database>, parentId: number, parts: readonly PartLink[]): Promise<void> {
  if (parts.length === 0) return;
  const rows = parts.map((part, position) => ({ parent_id: parentId, position, child_id: part.childId, name: part.name }));
  for (let start = 0; start < rows.length; start += 500) {
    await db.insertInto('document_parts').values(rows.slice(start, start + 500)).onConflict((conflict) => conflict.columns(['parent_id', 'position']).doNothing()).execute();
  }
}

/** A document's parts, in their order in it. */
export async function childrenOf(db: Kysely<Database>, parentId: number): Promise<RelatedDocument[]> {
  const rows = await db
    .selectFrom('document_parts as p')
    .innerJoin('documents as d', 'd.id', 'p.child_id')
    .select(['d.id', 'p.name', 'p.position', 'd.title', 'd.type', 'd.mime'])
    .where('p.parent_id', '=', parentId)
    .orderBy('p.position')
    .execute();
  return rows.map((row) => ({ ...row, id: Number(row.id), position: Number(row.position) }));
}

/** The documents a document is a part of (an attachment sent twice has two), oldest link first. */
export async function parentsOf(db: Kysely<Database>, childId: number): Promise<RelatedDocument[]> {
  const rows = await db
    .selectFrom('document_parts as p')
    .innerJoin('documents as d', 'd.id', 'p.parent_id')
    .select(['d.id', 'p.name', 'p.position', 'd.title', 'd.type', 'd.mime'])
    .where('p.child_id', '=', childId)
    .orderBy('p.parent_id')
    .orderBy('p.position')
    .execute();
  return rows.map((row) => ({ ...row, id: Number(row.id), position: Number(row.position) }));
}

/** Removes every link to and from a document (it is being deleted; its parts stay documents). */
export async function unlinkDocument(db: Kysely<Database>, documentId: number): Promise<void> {
  await db.deleteFrom('document_parts').where((eb) => eb.or([eb('parent_id', '=', documentId), eb('child_id', '=', documentId)])).execute();
}

/** A part of a family to commit: new content with its blob stored, or a document already there. */
export interface FamilyMember {
  name: string;
  document?: NewDocument;
  existingId?: number;
  /** The same content as an earlier member of this family (an attachment sent twice in one message). */
  sameContentAs?: string;
  children: FamilyMember[];
}

export interface FamilyRoot {
  document: NewDocument;
  sighting: SourceSighting | { runId: string; path?: undefined };
  children: FamilyMember[];
}

export interface FamilyCommit extends CommitResult {
  /** The id of every content committed or linked, by sha256. */
  ids: Map<string, number>;
  /** Parts that became new documents (the root not counted). */
  inserted: number;
}

/**
 * A document and all its parts (and theirs) in one transaction, so that a crash leaves the whole
 * family or none of it. When the document itself was committed meanwhile (by another process,
 * with its own parts), nothing else is written.
 */
export async function commitFamily(repository: DocumentRepository, root: FamilyRoot): Promise<FamilyCommit> {
  return repository.inTransaction(async (family, trx) => {
    const top = await family.commitDocument(root.document, root.sighting);
    const ids = new Map<string, number>([[root.document.sha256, top.documentId]]);
    if (top.duplicate) return { ...top, ids, inserted: 0 };
    const runId = root.sighting.runId;
    let inserted = 0;
    const commitMembers = async (members: readonly FamilyMember[]): Promise<PartLink[]> => {
      const links: PartLink[] = [];
      for (const member of members) {
        let childId: number | undefined = member.existingId;
        if (childId === undefined && member.sameContentAs !== undefined) childId = ids.get(member.sameContentAs) ?? (await family.findIdBySha256(member.sameContentAs));
        if (childId === undefined && member.document) {
          const committed = await family.commitDocument(member.document, { runId });
          childId = committed.documentId;
          ids.set(member.document.sha256, childId);
          if (!committed.duplicate) inserted += 1;
          // Catalogued meanwhile by someone else, with its own parts.
          if (!committed.duplicate) await linkParts(trx, childId, await commitMembers(member.children));
        }
        if (childId !== undefined) links.push({ childId, name: member.name });
      }
      return links;
    };
    await linkParts(trx, top.documentId, await commitMembers(root.children));
    return { ...top, ids, inserted };
  });
}
