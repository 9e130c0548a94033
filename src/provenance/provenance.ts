import { createHash } from 'node:crypto';
import { usageError } from '../errors.js';
import { isCi, readCiFacts, type CiFacts } from './ci-environment.js';
import { readGitFacts, type GitFacts } from './git.js';

/**
 * Where the files of one ingest came from: the CI run (if any), the git facts of the working
 * folder, and labels given with --label. Recorded per source: the same bytes from two runs are
 * one document with two sightings, each with its run.
 */
export interface Provenance {
  ci: CiFacts;
  git: GitFacts | null;
  labels: Record<string, string>;
}

export interface ProvenanceRequest {
  /** --ci (true), --no-ci (false), or neither (undefined: CI=true and the providers' flags decide). */
  ci: boolean | undefined;
  labels: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,63}$/;

/** key=value pairs as given to --label; a key given twice keeps its last value. */
export function parseLabels(given: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of given) {
    const equals = item.indexOf('=');
    const key = equals > 0 ? item.slice(0, equals).trim() : '';
    if (!LABEL_KEY.test(key)) throw usageError('E_USAGE', `--label wants key=value with a key of letters, digits, . _ - /, not "${item}"`, 'e.g. --label channel=nightly --label platform=linux-x64');
    const labelValue = item.slice(equals + 1);
    if (labelValue.length > 256) throw usageError('E_USAGE', `--label ${key}: the value is longer than 256 characters`, 'labels are short tags for finding artifacts; put long text elsewhere');
    labels[key] = labelValue;
  }
  return labels;
}

/**
 * The provenance to record for this run, or undefined when there is none to record: outside CI
 * (and without --ci) with no labels, ingest keeps no provenance, as before.
 */
export async function readProvenance(request: ProvenanceRequest): Promise<Provenance | undefined> {
  const labels = parseLabels(request.labels);
  const inCi = request.ci ?? isCi(request.env);
  if (!inCi && Object.keys(labels).length === 0) return undefined;
  const ci = readCiFacts(request.env, inCi);
  const git = (await readGitFacts(request.cwd)) ?? null;
  // A CI service that says nothing about the commit (CI=true alone) gets git's.
  if (ci.commit === null && git) ci.commit = git.head;
  if (ci.branch === null && ci.tag === null && git?.branch) ci.branch = git.branch;
  return { ci, git, labels };
}

/** One row per distinct context: every ingest of one job shares it. */
export function provenanceKey(provenance: Provenance): string {
  const labels = Object.fromEntries(Object.entries(provenance.labels).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify({ ci: provenance.ci, git: provenance.git, labels })).digest('hex');
}
