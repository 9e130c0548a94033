import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { SqlDialect } from '../dialect/types.js';
import { PROVENANCE_FIELDS, syntaxError, type QueryNode } from './query-parser.js';

/**
 * Predicates of the artifact filters (issue 19): where a document's sources came from (repo:,
 * commit:, branch:, ref:, run:, label:, on `source_provenance x JOIN provenance p`), its file
 * name (name:) and its size (size>10MB). search.ts wraps the provenance ones as a probe or a set.
 */

/** The condition on `x` (source_provenance) and `p` (provenance) rows for one provenance filter. */
export function provenanceCondition(field: 'repo' | 'commit' | 'branch' | 'ref' | 'run' | 'label', value: string, position: number, dialect: SqlDialect): RawBuilder<SqlBool> {
  switch (field) {
    case 'repo': {
      // owner/name, or just name: repositories are kept as their path (group/subgroup/name).
      const wanted = value.toLowerCase().replace(/\.git$/, '').replace(/^\/+|\/+$/g, '');
      if (wanted === '') throw syntaxError('repo: wants a repository like owner/name', position);
      return sql<SqlBool>`(lower(p.repository) = ${wanted} OR lower(p.repository) LIKE ${`%/${escapeLike(wanted)}`} ESCAPE '\\')`;
    }
    case 'commit': {
      const prefix = value.toLowerCase();
      if (!/^[0-9a-f]{4,64}$/.test(prefix)) throw syntaxError(`commit: wants at least 4 hex digits of a commit, not "${value}"`, position);
      return sql<SqlBool>`(p.commit_sha LIKE ${`${prefix}%`} OR p.git_head LIKE ${`${prefix}%`})`;
    }
    case 'branch':
      return nameMatches(sql`p.branch`, value, dialect);
    case 'ref':
      return sql<SqlBool>`(${nameMatches(sql`p.branch`, value, dialect)} OR ${nameMatches(sql`p.tag`, value, dialect)})`;
    case 'run':
      // The CI run (GitHub run id, GitLab pipeline id, ...) or doccat's own run id.
      return sql<SqlBool>`(p.run_id = ${value} OR x.doccat_run_id = ${value})`;
    case 'label': {
      const equals = value.indexOf('=');
      if (equals <= 0) return sql<SqlBool>`EXISTS (SELECT 1 FROM provenance_labels l WHERE l.provenance_id = p.id AND l.key = ${value})`;
      return sql<SqlBool>`EXISTS (SELECT 1 FROM provenance_labels l WHERE l.provenance_id = p.id AND l.key = ${value.slice(0, equals)} AND l.value = ${value.slice(equals + 1)})`;
    }
  }
}

/**
 * The provenance filters ANDed at the top of a query, as one condition on sightings (`x`, `p`):
 * which of a document's builds it was selected by (manifest lists those paths). Undefined when
 * the query has none.
 */
export function topLevelProvenanceCondition(tree: QueryNode | undefined, dialect: SqlDialect): RawBuilder<SqlBool> | undefined {
  const nodes = (tree?.kind === 'and' ? tree.children : tree ? [tree] : []).filter((node): node is Extract<QueryNode, { kind: 'field' }> => node.kind === 'field' && (PROVENANCE_FIELDS as readonly string[]).includes(node.field));
  if (nodes.length === 0) return undefined;
  return sql<SqlBool>`(${sql.join(nodes.map((node) => provenanceCondition(node.field as (typeof PROVENANCE_FIELDS)[number], node.value, node.position, dialect)), sql` AND `)})`;
}

/** A branch or tag name: equal, or a glob when it has * or ? (release/*). */
function nameMatches(column: RawBuilder<unknown>, value: string, dialect: SqlDialect): RawBuilder<SqlBool> {
  if (!/[*?[]/.test(value)) return sql<SqlBool>`${column} = ${value}`;
  return globMatches(column, value, dialect);
}

/** GLOB on SQLite; on Postgres the same pattern as a regular expression. Case-sensitive on both. */
export function globMatches(column: RawBuilder<unknown>, glob: string, dialect: SqlDialect): RawBuilder<SqlBool> {
  return dialect.search.globMatches(column, glob);
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** ">10MB", "<=1.5GB", "=1234", or "1234" (exactly): units are powers of 1024. */
export function parseSizeComparison(value: string, position: number): { operator: '>' | '>=' | '<' | '<=' | '='; bytes: number } {
  const match = /^(>=|<=|>|<|=)?\s*(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = UNITS[(match?.[3] ?? '').toLowerCase()];
  if (!match || unit === undefined) throw syntaxError(`size wants a comparison like size>10MB or size<=1GB (units B, KB, MB, GB, TB), not "${value}"`, position);
  return { operator: (match[1] ?? '=') as '>' | '>=' | '<' | '<=' | '=', bytes: Math.round(Number(match[2]) * unit) };
}

export function sizeCondition(value: string, position: number): RawBuilder<SqlBool> {
  const { operator, bytes } = parseSizeComparison(value, position);
  return sql<SqlBool>`d.size ${sql.raw(operator)} ${bytes}`;
}
