import { describe, expect, it } from 'vitest';
import type { PruneFacts } from '../../../src/db/provenance.js';
import { planPrune, type PrunePolicy } from '../../../src/pipeline/prune.js';

/** The retention policy of `doccat prune`, on facts as ProvenanceRepository.pruneFacts gives them. */

let nextProvenance = 1;
const builds = new Map<string, number>();
/** One build context per (repository, ref, day): documents of the same build share it. */
function build(repository: string, ref: string, day: number, name: string): PruneFacts['builds'][number] {
  const key = `${repository}|${ref}|${day}`;
  const provenanceId = builds.get(key) ?? nextProvenance++;
  builds.set(key, provenanceId);
  const tag = ref.startsWith('v') ? ref : null;
  return { provenanceId, name, branch: tag ? null : ref, tag, repository, builtAt: `2024-01-${String(day).padStart(2, '0')}T12:00:00.000Z` };
}

let nextId = 1;
function doc(name: string, seenIn: PruneFacts['builds'], extra: Partial<PruneFacts> = {}): PruneFacts {
  const days = seenIn.map((item) => item.builtAt).sort();
  const addedAt = days[0] ?? '2024-01-01T00:00:00.000Z';
  return { id: nextId++, name, size: 100, sha256: 'ab'.repeat(32), addedAt, lastSeen: days.at(-1) ?? addedAt, keepTagged: false, manual: false, builds: seenIn, ...extra };
}

const pruned = (documents: PruneFacts[], policy: PrunePolicy) =>
  planPrune(documents, policy)
    .filter((decision) => decision.action === 'prune')
    .map((decision) => documents.find((item) => item.id === decision.id)?.name)
    .sort();

describe('planPrune', () => {
  // app builds on main on days 1, 2, 3 and on a feature branch on day 2; a tagged release on day 1.
  const main1 = doc('app@main-1', [build('acme/app', 'main', 1, 'app')]);
  const main2 = doc('app@main-2', [build('acme/app', 'main', 2, 'app')]);
  const main3 = doc('app@main-3', [build('acme/app', 'main', 3, 'app')]);
  const feature = doc('app@feature-2', [build('acme/app', 'feature/x', 2, 'app')]);
  const release = doc('app@v1.0.0', [build('acme/app', 'v1.0.0', 1, 'app')]);
  // The same bytes built on days 1 and 3: seen in a recent build, so kept.
  const shared = doc('readme@main', [build('acme/app', 'main', 1, 'README.md'), build('acme/app', 'main', 3, 'README.md')]);
  const lib1 = doc('lib@main-1', [build('acme/lib', 'main', 1, 'lib.so')]);
  const lib2 = doc('lib@main-2', [build('acme/lib', 'main', 2, 'lib.so')]);
  const all = [main1, main2, main3, feature, release, shared, lib1, lib2];

  it('keeps the documents of the last N builds of each branch (tags are their own group)', () => {
    expect(pruned(all, { keepLast: 1, per: 'branch' })).toEqual(['app@main-1', 'app@main-2', 'lib@main-1']);
    expect(pruned(all, { keepLast: 2, per: 'branch' })).toEqual(['app@main-1']);
  });

  it('groups per repository or per file name instead', () => {
    // acme/app's newest build is main on day 3, so all else of acme/app goes; acme/lib keeps day 2.
    expect(pruned(all, { keepLast: 1, per: 'repo' })).toEqual(['app@feature-2', 'app@main-1', 'app@main-2', 'app@v1.0.0', 'lib@main-1']);
    // Per name: the last build that made an `app`, a `README.md`, a `lib.so`.
    expect(pruned(all, { keepLast: 1, per: 'name' })).toEqual(['app@feature-2', 'app@main-1', 'app@main-2', 'app@v1.0.0', 'lib@main-1']);
  });

  it('with --older-than, prunes only what was not seen since, and combines with --keep-last', () => {
    expect(pruned(all, { per: 'branch', olderThan: '2024-01-02T00:00:00.000Z' })).toEqual(['app@main-1', 'app@v1.0.0', 'lib@main-1']);
    expect(pruned(all, { keepLast: 1, per: 'branch', olderThan: '2024-01-02T00:00:00.000Z' })).toEqual(['app@main-1', 'lib@main-1']);
  });

  it('never prunes a document tagged keep or changed by hand, and says why', () => {
    const kept = doc('app@main-0', [build('acme/app', 'main', 1, 'app')], { keepTagged: true });
    const edited = doc('app@main-00', [build('acme/app', 'main', 1, 'app')], { manual: true });
    const plan = planPrune([...all, kept, edited], { keepLast: 1, per: 'branch', olderThan: '2024-02-01T00:00:00.000Z' });
    expect(plan.find((item) => item.id === kept.id)).toMatchObject({ action: 'keep', reason: 'keep-tag' });
    expect(plan.find((item) => item.id === edited.id)).toMatchObject({ action: 'keep', reason: 'manual' });
    expect(plan.find((item) => item.id === main3.id)).toMatchObject({ action: 'keep', reason: 'recent' });
  });

  it('counts a document without CI provenance as its own build, made when it was added', () => {
    const local = [1, 2, 3].map((day) => doc(`local-${day}`, [], { addedAt: `2024-01-0${day}T00:00:00.000Z`, lastSeen: `2024-01-0${day}T00:00:00.000Z` }));
    expect(pruned(local, { keepLast: 2, per: 'branch' })).toEqual(['local-1']);
  });
});
