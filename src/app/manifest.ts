import path from 'node:path';
import type { AppContext } from './context.js';
import { openCatalog } from './catalog.js';
import { formatDocumentId } from './ids.js';
import type { QueryNode } from './query.js';
import type { ProvenanceView } from '../db/provenance.js';

/** A build the manifest's artifacts were seen in, without the catalogue's row id. */
export type ManifestBuild = Omit<ProvenanceView, 'id'>;

/** One file of the manifest: a document once per path it had. */
export interface ManifestEntry {
  id: number;
  ref: string;
  name: string;
  path: string;
  size: number;
  sha256: string;
  mime: string;
  type: string;
  title: string;
  fields: Record<string, string>;
  blob: { backend: string; key: string };
}

export interface ManifestRequest {
  tree: QueryNode | undefined;
  /** At most this many documents (--limit); all of them when undefined. */
  limit: number | undefined;
  /** The absolute folder the listed paths are made relative to. */
  relativeTo: string;
}

/**
 * The artifacts the filters select, one entry per file: a document built twice in the run (two
 * paths) is listed twice, as sha256sum would list it. With provenance filters (run:, commit:,
 * branch:...) the paths are those the document had in the matching builds, and the builds are
 * those; otherwise its sources' paths, and every build it was seen in. Sorted by path.
 */
export async function artifactManifest(context: AppContext, request: ManifestRequest): Promise<{ provenance: ManifestBuild[]; artifacts: ManifestEntry[] }> {
  const { tree, relativeTo: base } = request;
  const catalog = await openCatalog(context, { readonly: true });
  try {
    const [{ matchingDocumentIds }, { topLevelProvenanceCondition }] = await Promise.all([import('../db/search/search.js'), import('../db/search/artifact-filters.js')]);
    const ids = await matchingDocumentIds(catalog.db, tree, request.limit);
    // The provenance filters ANDed at the top also choose which of a document's paths are listed.
    const where = topLevelProvenanceCondition(tree, catalog.dialect);
    const sightings = await catalog.provenance.sightingsOf(ids, where);
    const entries: ManifestEntry[] = [];
    const builds = new Map<number, ProvenanceView>();
    for (const id of ids) {
      const document = await catalog.documents.getDocument(id);
      if (!document) continue;
      const mine = sightings.filter((sighting) => sighting.documentId === id);
      for (const sighting of mine) builds.set(sighting.provenance.id, sighting.provenance);
      const paths = where ? mine.map((sighting) => sighting.path) : (await catalog.documents.getSources(id)).filter((source) => source.status !== 'failed').map((source) => source.path);
      for (const filePath of [...new Set(paths.length > 0 ? paths : [document.original_name])]) {
        entries.push({
          id,
          ref: formatDocumentId(id),
          name: path.basename(filePath),
          path: path.isAbsolute(filePath) ? path.relative(base, filePath) || path.basename(filePath) : filePath,
          size: Number(document.size),
          sha256: document.sha256,
          mime: document.mime,
          type: document.type,
          title: document.title,
          fields: JSON.parse(document.fields) as Record<string, string>,
          blob: { backend: document.blob_backend, key: document.blob_key },
        });
      }
    }
    entries.sort((a, b) => a.path.localeCompare(b.path));
    return { provenance: [...builds.values()].map(({ id: _id, ...view }) => view), artifacts: entries };
  } finally {
    await catalog.close();
  }
}
