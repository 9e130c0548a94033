import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DocumentRepository, type NewDocument } from '../../../src/db/documents.js';
import { documentRecords, restoreDocument, type RestoredDocument } from '../../../src/db/export-records.js';
import { DIALECTS, openTestCatalog } from '../../support/catalogs.js';

/**
 * import restores documents several at a time. Those whose ids are free keep them; the others get
 * new ids from the catalogue. On Postgres the explicit ids and the sequence must never meet: a
 * new id handed out while another transaction inserts that id explicitly is a duplicate key.
 */

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function seed(index: number): NewDocument {
  return {
    sha256: sha(`seed ${index}`), size: 10, mime: 'text/plain', originalName: `seed-${index}.txt`, blobBackend: 'local', blobKey: `sha256/seed/${index}`,
    method: 'text', pages: 1, words: 2, language: 'en', ocrConfidence: null, type: 'other', title: `Seed ${index}`, tags: [], documentDate: null,
    correspondent: null, classConfidence: 0.5, classRule: 'test', classifier: 'local', fields: {}, warnings: [], text: `seed ${index}`, metadata: {},
  };
}

for (const dialect of DIALECTS) describe(`restoring documents at once (${dialect})`, () => {
  it('keeps free ids, gives taken ones new ids, and never collides', async () => {
    const catalog = await openTestCatalog(dialect);
    try {
      const repository = new DocumentRepository(catalog.db, 'tester');
      for (let index = 0; index < 6; index += 1) await repository.commitDocument(seed(index), { runId: 'r' });
      const [template] = await documentRecords(catalog.db, [1]);
      const { id: _id, blob_backend: _backend, blob_key: _key, ...row } = template?.row ?? ({} as NonNullable<typeof template>['row']);
      // Even: ids just above the sequence, free and kept; odd: ids taken by the seeds, given new ones.
      const restored = (index: number): RestoredDocument => ({
        id: index % 2 === 0 ? 7 + index / 2 : 1 + (index % 6),
        row: { ...row, sha256: sha(`restored ${index}`), title: `Restored ${index}`, text: `restored ${index}` },
        blob: { backend: 'local', key: `sha256/restored/${index}` },
        sources: [],
        history: [],
        audit: [],
        imported: { actor: 'tester', runId: 'import', from: '/export' },
      });
      const outcomes = await Promise.all(Array.from({ length: 40 }, (_, index) => restoreDocument(repository, restored(index), true)));
      expect(outcomes.every((outcome) => outcome.status === 'imported')).toBe(true);
      const ids = outcomes.map((outcome) => outcome.id);
      expect(new Set(ids).size).toBe(40);
      // A document keeps the id it asks for unless another document holds it.
      const holders = new Map<number, string>((await catalog.db.selectFrom('documents').select(['id', 'sha256']).execute()).map((row) => [Number(row.id), row.sha256]));
      for (const [index, id] of ids.entries()) {
        const wanted = restored(index).id;
        if (id !== wanted) expect(holders.get(wanted), `document ${index} asked for ${wanted}, got ${id}`).not.toBe(sha(`restored ${index}`));
        if (id !== wanted) expect(holders.has(wanted), `document ${index} asked for ${wanted}, got ${id}`).toBe(true);
      }
      expect(ids.filter((id, index) => id === restored(index).id).length).toBeGreaterThan(0);
      const after = await repository.commitDocument(seed(99), { runId: 'r' });
      expect(ids).not.toContain(after.documentId);
    } finally {
      await catalog.close();
    }
  });
});
