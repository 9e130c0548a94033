import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ARTIFACT_NAMES, NO_CI, githubActions, gitlabCi, hasCompiler, makeArtifacts } from '../support/artifacts.js';
import { DIALECTS } from '../support/catalogs.js';
import { REPO_ROOT, parseIngestJson, runDoccat, tempDir, type RunOptions } from '../support/cli.js';
import { createDatabase } from '../support/postgres.mjs';

/**
 * A pipeline's artifact folder catalogued as CI would: every file catalogued with its fields,
 * each build's provenance recorded per source, found again by commit, branch, run and name,
 * verified with `sha256sum -c`, and pruned to the last build per branch.
 */

const SHA_A = 'a1a1a1a1b2b2b2b2c3c3c3c3d4d4d4d4e5e5e5e5';
const SHA_B = 'b2b2b2b2c3c3c3c3d4d4d4d4e5e5e5e5f6f6f6f6';
const SHA_C = 'c3c3c3c3d4d4d4d4e5e5e5e5f6f6f6f6a1a1a1a1';
const SHA_D = 'd4d4d4d4e5e5e5e5f6f6f6f6a1a1a1a1b2b2b2b2';

interface Listed {
  id: number;
  ref: string;
  title: string;
  type: string;
  paths: string[];
}

interface ShownDocument {
  id: number;
  type: string;
  title: string;
  method: string;
  fields: Record<string, string>;
  sources: { path: string }[];
  provenance: { path: string; provider: string; repository: string | null; commit: string | null; branch: string | null; tag: string | null; runId: string | null; runAttempt: string | null; runUrl: string | null; workflow: string | null; job: string | null; labels: Record<string, string>; facts: Record<string, unknown> }[];
}

for (const dialect of DIALECTS) describe(`artifacts of CI builds (${dialect})`, () => {
  const home = tempDir();
  const build = tempDir('doccat-dist-');
  const branchBuild = tempDir('doccat-feature-');
  let catalogue: NodeJS.ProcessEnv = {};
  const run = (args: string[], options: RunOptions = {}) => runDoccat(args, { home, ...options, env: { ...NO_CI, ...catalogue, ...options.env } });
  const list = async (...filters: string[]): Promise<Listed[]> => {
    const result = await run(['list', ...filters, '--json', '--limit', '100']);
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { results: Listed[] }).results;
  };
  /** The file names of the documents found (every source of a document has the same name here). */
  const names = async (...filters: string[]) => (await list(...filters)).map((item) => path.basename(item.paths[0] ?? item.title)).sort();
  const show = async (id: number): Promise<ShownDocument> => {
    const result = await run(['show', String(id), '--json']);
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { document: ShownDocument }).document;
  };
  const byPath: Record<string, number> = {};
  let firstRun: ReturnType<typeof parseIngestJson>;
  let firstCode: number | null;

  beforeAll(async () => {
    if (dialect === 'postgres') catalogue = { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) };
    makeArtifacts(build, 1);
    const result = await run(['ingest', build, '--json', '--label', 'channel=nightly'], { env: githubActions({ id: '101', sha: SHA_A, branch: 'main' }) });
    firstCode = result.code;
    firstRun = parseIngestJson(result);
    for (const file of firstRun.files) if (file.documentId !== undefined) byPath[path.basename(file.path)] = file.documentId;
  });

  it('catalogues every artifact, binaries and archives included, and exits 0', () => {
    expect(firstCode).toBe(0);
    expect(firstRun.summary).toMatchObject({ total: ARTIFACT_NAMES.length, catalogued: ARTIFACT_NAMES.length, failed: 0 });
    expect(Object.keys(byPath).sort()).toEqual([...ARTIFACT_NAMES].sort());
  });

  it('reads executables, archives, packages, SBOMs and test reports into types and fields', async () => {
    const app = await show(byPath.app as number);
    expect(app).toMatchObject({ type: 'executable', method: 'none' });
    expect(app.fields).toMatchObject({ 'executable.format': 'elf', 'executable.arch': expect.any(String), 'executable.bits': '64' });
    const stripped = await show(byPath['app-stripped'] as number);
    expect(stripped.fields['executable.stripped']).toBe('true');
    if (hasCompiler()) {
      expect(app.fields['executable.stripped']).toBe('false');
      expect(app.fields['executable.build_id']).toMatch(/^[0-9a-f]{40}$/);
    }
    expect((await show(byPath['dist.zip'] as number)).fields).toMatchObject({ 'archive.format': 'zip', 'archive.files': '2' });
    expect((await show(byPath['pkg-1.0.0-py3-none-any.whl'] as number))).toMatchObject({ type: 'package', title: 'pkg 1.0.0', fields: { 'package.ecosystem': 'pypi', 'package.name': 'pkg', 'package.version': '1.0.0', 'archive.format': 'wheel' } });
    expect((await show(byPath['web-1.2.3.tgz'] as number))).toMatchObject({ type: 'package', fields: { 'package.ecosystem': 'npm', 'package.name': '@acme/web', 'package.version': '1.2.3', 'archive.format': 'tar.gz' } });
    expect((await show(byPath['source.tar.gz'] as number))).toMatchObject({ type: 'archive', fields: { 'archive.format': 'tar.gz', 'archive.files': '2' } });
    expect((await show(byPath['sbom.cdx.json'] as number))).toMatchObject({ type: 'sbom', fields: { 'sbom.format': 'cyclonedx', 'sbom.components': '3', 'sbom.name': 'acme-app', 'sbom.version': '1.0.0' } });
    expect((await show(byPath['junit.xml'] as number))).toMatchObject({ type: 'test-report', fields: { 'tests.total': '3', 'tests.failures': '1', 'tests.skipped': '1', 'tests.passed': '1' } });
    expect((await show(byPath['report.pdf'] as number)).method).toBe('text-layer');
  });

  it('makes member names, components and failing tests searchable', async () => {
    const search = async (...words: string[]) => {
      const result = await run(['search', ...words, '--json']);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { results: Listed[] }).results.map((item) => item.id);
    };
    expect(await search('defaults.json')).toContain(byPath['dist.zip']);
    expect(await search('util.c')).toContain(byPath['source.tar.gz']);
    expect(await search('openssl')).toEqual([byPath['sbom.cdx.json']]);
    expect(await search('"retries on timeout"')).toEqual([byPath['junit.xml']]);
  });

  it('records where each file came from: GitHub run, commit, branch, workflow, labels', async () => {
    const app = await show(byPath.app as number);
    expect(app.provenance).toHaveLength(1);
    expect(app.provenance[0]).toMatchObject({
      path: path.join(build, 'app'),
      provider: 'github-actions',
      repository: 'acme/app',
      commit: SHA_A,
      branch: 'main',
      tag: null,
      runId: '101',
      runAttempt: '1',
      runUrl: 'https://github.com/acme/app/actions/runs/101',
      workflow: 'release',
      job: 'build',
      labels: { channel: 'nightly' },
      facts: { actor: 'octocat', event: 'push', runNumber: '7' },
    });
  });

  it('adds a source with its run, not a document, when another pipeline builds the same bytes', async () => {
    const result = await run(['ingest', build, '--json'], { env: gitlabCi({ id: '202', sha: SHA_B, branch: 'main' }) });
    expect(result.code, result.stderr).toBe(0);
    expect(parseIngestJson(result).summary).toMatchObject({ catalogued: 0, failed: 0 });
    expect(await list()).toHaveLength(ARTIFACT_NAMES.length);
    const sbom = await show(byPath['sbom.cdx.json'] as number);
    expect(sbom.provenance.map((item) => [item.provider, item.commit, item.runId])).toEqual([
      ['github-actions', SHA_A, '101'],
      ['gitlab-ci', SHA_B, '202'],
    ]);
    expect(sbom.provenance[1]).toMatchObject({ runUrl: 'https://gitlab.example.com/acme/app/-/pipelines/202', facts: { jobId: '9001', jobUrl: 'https://gitlab.example.com/acme/app/-/jobs/9001' } });
  });

  it('catalogues a rebuild: changed files become documents of the new run', async () => {
    makeArtifacts(build, 2);
    const result = await run(['ingest', build, '--ndjson', '--url'], { env: githubActions({ id: '303', sha: SHA_C, branch: 'main' }) });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const files = lines.filter((line) => line.event === 'file');
    expect(files.filter((file) => file.status === 'catalogued').map((file) => path.basename(file.path as string)).sort()).toEqual(['app', 'app-stripped', 'junit.xml']);
    // What a pipeline needs back per file: checksum, size, where the blob is, a URL to it.
    for (const file of files) {
      const bytes = fs.readFileSync(file.path as string);
      expect(file).toMatchObject({ sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, blob: { backend: 'local', key: expect.stringMatching(/^sha256\//) } });
      const url = file.url as string;
      expect(url).toMatch(/^file:\/\//);
      expect(createHash('sha256').update(fs.readFileSync(fileURLToPath(url))).digest('hex')).toBe(file.sha256);
    }
    makeArtifacts(branchBuild, 3);
    const feature = await run(['ingest', branchBuild, '--json'], { env: githubActions({ id: '404', sha: SHA_D, branch: 'feature/login' }) });
    expect(feature.code, feature.stderr).toBe(0);
  });

  it('finds artifacts by commit, branch, run, label, name and size, in the query and as flags', async () => {
    const all = [...ARTIFACT_NAMES].sort();
    expect(await names(`commit:${SHA_A.slice(0, 7)}`)).toEqual(all);
    expect(await names('--commit', SHA_B.slice(0, 10))).toEqual(all);
    expect(await names('run:303')).toEqual(all);
    expect(await names('--run', '202')).toEqual(all);
    expect((await list('run:303')).map((item) => item.id).sort()).not.toEqual((await list('run:101')).map((item) => item.id).sort());
    expect(await names('branch:feature/*', 'name:app*')).toEqual(['app', 'app-stripped']);
    expect((await list('branch:main', 'name:app')).length).toBe(2);
    expect(await names('label:channel=nightly', 'type:package')).toEqual(['pkg-1.0.0-py3-none-any.whl', 'web-1.2.3.tgz']);
    expect(await names('--name', '*.whl')).toEqual(['pkg-1.0.0-py3-none-any.whl']);
    expect(await names('repo:acme/app', 'name:*.tgz', 'run:202')).toEqual(['web-1.2.3.tgz']);
    expect(await names('size>1KB', 'type:test-report')).toEqual([]);
    expect((await names('--size', '<1KB')).length).toBeGreaterThan(0);
    expect(await list(`commit:${'f'.repeat(12)}`)).toEqual([]);
    const bad = await run(['list', 'commit:xyz']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('E_QUERY_SYNTAX');
  });

  it('writes a manifest of a run that sha256sum -c verifies, and release-notes markdown', async () => {
    const sums = await run(['manifest', 'run:303', '--format', 'sha256sum'], { cwd: build });
    expect(sums.code, sums.stderr).toBe(0);
    expect(sums.stdout.trim().split('\n')).toHaveLength(ARTIFACT_NAMES.length);
    fs.writeFileSync(path.join(build, 'SHA256SUMS'), sums.stdout);
    const check = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: build, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('app: OK');
    fs.rmSync(path.join(build, 'SHA256SUMS'));
    // The first run's checksums no longer verify the rebuilt folder: they are that run's.
    const old = await run(['manifest', 'run:101', '--format', 'sha256sum'], { cwd: build });
    const stale = spawnSync('sha256sum', ['-c', '--quiet', '-'], { cwd: build, input: old.stdout, encoding: 'utf8' });
    expect(stale.status).not.toBe(0);
    const notes = await run(['manifest', `commit:${SHA_C}`]);
    expect(notes.code).toBe(0);
    expect(notes.stdout).toContain('[run 303](https://github.com/acme/app/actions/runs/303)');
    expect(notes.stdout).toMatch(/\| `.*pkg-1\.0\.0-py3-none-any\.whl` \| .* \| `[0-9a-f]{64}` \| package \| pypi pkg 1\.0\.0 \|/);
    const json = JSON.parse((await run(['manifest', 'run:404', '--format', 'json'])).stdout) as { provenance: { branch: string }[]; artifacts: { name: string; sha256: string }[] };
    expect(json.provenance.map((item) => item.branch)).toEqual(['feature/login']);
    expect(json.artifacts.map((item) => item.name).sort()).toEqual([...ARTIFACT_NAMES].sort());
  });

  it('prunes to the last build per branch, keeping what is tagged keep and the blobs still in use', async () => {
    const firstApp = byPath.app as number;
    const firstJunit = byPath['junit.xml'] as number;
    const firstStripped = byPath['app-stripped'] as number;
    expect((await run(['tag', String(firstApp), '+keep'])).code).toBe(0);
    const before = await list();
    const dry = await run(['prune', '--keep-last', '1', '--per', 'branch', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { wouldPrune: { id: number }[]; keptDocuments: { id: number; keptBecause: string }[] };
    expect(plan.wouldPrune.map((item) => item.id).sort()).toEqual([firstStripped, firstJunit].sort());
    expect(plan.keptDocuments.find((item) => item.id === firstApp)?.keptBecause).toBe('keep-tag');
    expect(await list()).toHaveLength(before.length);

    const junitBlob = path.join(home, 'blobs', (await run(['show', String(firstJunit), '--json'])).stdout.match(/"key": "([^"]+)"/)?.[1] ?? 'missing');
    expect(fs.existsSync(junitBlob)).toBe(true);
    const pruned = await run(['prune', '--keep-last', '1', '--per', 'branch', '--json']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ pruned: 2, failed: 0 });
    expect((await list()).length).toBe(before.length - 2);
    expect((await run(['show', String(firstJunit)])).code).toBe(2);
    expect(fs.existsSync(junitBlob)).toBe(false);
    expect((await show(firstApp)).type).toBe('executable');
    const audit = await run(['audit', '--json']);
    expect(audit.stdout).toContain('"command": "prune"');
    // Run again: nothing left beyond the policy.
    expect(JSON.parse((await run(['prune', '--keep-last', '1', '--per', 'branch', '--json'])).stdout)).toMatchObject({ pruned: 0 });
    expect(JSON.parse((await run(['prune', '--older-than', '1d', '--json'])).stdout)).toMatchObject({ pruned: 0 });
    expect((await run(['prune'])).code).toBe(2);
  });
});

describe('files that are not documents (ingest.unknownFiles)', () => {
  const folder = tempDir('doccat-unknown-');
  beforeAll(() => {
    fs.copyFileSync('/usr/bin/true', path.join(folder, 'tool'));
    fs.writeFileSync(path.join(folder, 'noise.bin'), Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256)));
    execFileSync('tar', ['-czf', path.join(folder, 'bundle.tar.gz'), '-C', REPO_ROOT, 'package.json']);
    // The other compressors' readers load as the built binary loads them (ESM importing CommonJS and WebAssembly).
    for (const [flag, name, tool] of [['--xz', 'bundle.tar.xz', 'xz'], ['--zstd', 'bundle.tar.zst', 'zstd'], ['--bzip2', 'bundle.tar.bz2', 'bzip2']] as const) {
      if (spawnSync(tool, ['--version']).status === 0) execFileSync('tar', [flag, '-cf', path.join(folder, name), '-C', REPO_ROOT, 'package.json', 'tsconfig.json']);
    }
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'Release notes: nothing new.\n');
  });

  it('catalogues them by default, with method none and type artifact or what was read', async () => {
    const home = tempDir();
    const result = await runDoccat(['ingest', folder, '--json'], { home, env: NO_CI });
    expect(result.code, result.stderr).toBe(0);
    const files = parseIngestJson(result).files;
    const of = (name: string) => files.find((file) => path.basename(file.path) === name);
    expect(of('noise.bin')).toMatchObject({ status: 'catalogued', method: 'none', type: 'artifact' });
    expect(of('tool')).toMatchObject({ status: 'catalogued', method: 'none', type: 'executable' });
    expect(of('bundle.tar.gz')).toMatchObject({ status: 'catalogued', method: 'none', type: 'archive' });
    for (const name of ['bundle.tar.xz', 'bundle.tar.zst', 'bundle.tar.bz2']) {
      const file = of(name);
      if (!file) continue;
      expect(file, name).toMatchObject({ status: 'catalogued', type: 'archive' });
      const shown = JSON.parse((await runDoccat(['show', String(file.documentId), '--json'], { home })).stdout) as { document: { fields: Record<string, string> } };
      expect(shown.document.fields, name).toMatchObject({ 'archive.format': name.slice('bundle.'.length), 'archive.files': '2' });
    }
  });

  it('skips them with unknownFiles skip (exit 0) and fails them with fail (exit 3)', async () => {
    const skipped = await runDoccat(['ingest', folder, '--json'], { home: tempDir(), env: { ...NO_CI, DOCCAT_INGEST_UNKNOWN_FILES: 'skip' } });
    expect(skipped.code, skipped.stderr).toBe(0);
    const report = parseIngestJson(skipped);
    expect(report.summary).toMatchObject({ catalogued: 1, failed: 0 });
    const skips = report.files.filter((file) => file.status === 'skipped');
    expect(skips.map((file) => path.basename(file.path))).toEqual(expect.arrayContaining(['bundle.tar.gz', 'noise.bin', 'tool']));
    expect(new Set(skips.map((file) => file.error?.code))).toEqual(new Set(['W_NOT_A_DOCUMENT']));
    const failed = await runDoccat(['ingest', folder, '--json'], { home: tempDir(), env: { ...NO_CI, DOCCAT_INGEST_UNKNOWN_FILES: 'fail' } });
    expect(failed.code).toBe(3);
    const failures = parseIngestJson(failed).files.filter((file) => file.status === 'failed');
    expect(failures.map((file) => path.basename(file.path))).toEqual(expect.arrayContaining(['bundle.tar.gz', 'noise.bin', 'tool']));
    expect(new Set(failures.map((file) => file.error?.code))).toEqual(new Set(['E_UNSUPPORTED_TYPE']));
  });

  it('still fails real failures: an encrypted or corrupt document, with exit 3', async () => {
    const bad = tempDir('doccat-bad-artifacts-');
    fs.copyFileSync(path.join(REPO_ROOT, 'fixtures', 'bad', 'password.pdf'), path.join(bad, 'locked.pdf'));
    fs.writeFileSync(path.join(bad, 'broken.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3000, 0x5a)]));
    fs.copyFileSync('/usr/bin/true', path.join(bad, 'tool'));
    const result = await runDoccat(['ingest', bad, '--json'], { home: tempDir(), env: NO_CI });
    expect(result.code).toBe(3);
    const files = parseIngestJson(result).files;
    expect(files.map((file) => [path.basename(file.path), file.status, file.error?.code ?? null]).sort()).toEqual([
      ['broken.pdf', 'failed', 'E_PDF_CORRUPT'],
      ['locked.pdf', 'failed', 'E_PDF_ENCRYPTED'],
      ['tool', 'catalogued', null],
    ]);
  });
});

describe('provenance outside a known CI service', () => {
  it('takes commit, branch and dirtiness from git for CI=true alone, and records nothing outside CI', async () => {
    const repo = tempDir('doccat-git-');
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();
    git('init', '-q', '-b', 'trunk');
    fs.writeFileSync(path.join(repo, 'build.sh'), 'make\n');
    git('add', 'build.sh');
    git('commit', '-q', '-m', 'first');
    const head = git('rev-parse', 'HEAD');
    fs.writeFileSync(path.join(repo, 'build.sh'), 'make all\n');
    fs.mkdirSync(path.join(repo, 'out'));
    fs.writeFileSync(path.join(repo, 'out', 'data.bin'), Buffer.from([0, 1, 2, 3, 250, 251]));
    const home = tempDir();
    const local = await runDoccat(['ingest', 'out', '--json'], { home, cwd: repo, env: NO_CI });
    expect(local.code, local.stderr).toBe(0);
    const id = parseIngestJson(local).files[0]?.documentId as number;
    const shown = async () => (JSON.parse((await runDoccat(['show', String(id), '--json'], { home })).stdout) as { document: ShownDocument & { provenance: { git: { head: string; branch: string; dirty: boolean } }[] } }).document;
    expect((await shown()).provenance).toEqual([]);
    const inCi = await runDoccat(['ingest', 'out', '--json', '--label', 'os=linux'], { home, cwd: repo, env: { ...NO_CI, CI: 'true' } });
    expect(inCi.code, inCi.stderr).toBe(0);
    const [recorded] = (await shown()).provenance;
    expect(recorded).toMatchObject({ provider: 'ci', commit: head, branch: 'trunk', labels: { os: 'linux' }, git: { head, branch: 'trunk', dirty: true } });
  });
});

describe('ingest --unpack', () => {
  it('catalogues the documents inside archives as members, nested archives too, within the unpack limit', async () => {
    const { zipSync, strToU8 } = await import('fflate');
    const { makeTextPdf } = await import('../support/pdf-writer.mjs');
    const folder = tempDir('doccat-unpack-');
    const inner = tempDir('doccat-inner-');
    fs.writeFileSync(path.join(inner, 'changelog.md'), '# Changelog\nThe quokka release fixes the login bug.\n');
    execFileSync('tar', ['-czf', path.join(inner, 'docs.tar.gz'), '-C', inner, 'changelog.md']);
    fs.writeFileSync(path.join(folder, 'release.zip'), zipSync({
      'manual.pdf': makeTextPdf([['Installation manual', 'Unpack the wombat bundle and run setup.']], { title: 'Installation manual' }),
      'bin/tool': new Uint8Array(Buffer.concat([fs.readFileSync('/usr/bin/true')])),
      '../escape.txt': strToU8('A member named to climb out of its folder: platypus.\n'),
      'docs.tar.gz': new Uint8Array(fs.readFileSync(path.join(inner, 'docs.tar.gz'))),
    }));
    const home = tempDir();
    const result = await runDoccat(['ingest', folder, '--unpack', '--json'], { home, env: NO_CI });
    expect(result.code, result.stderr).toBe(0);
    const [archive] = parseIngestJson(result).files as (ReturnType<typeof parseIngestJson>['files'][number] & { members?: { path: string; status: string; documentId?: number; members?: { path: string; status: string }[] }[] })[];
    const zipPath = path.join(folder, 'release.zip');
    expect(archive?.members?.map((member) => [member.path, member.status]).sort()).toEqual([
      [`${zipPath}!/../escape.txt`, 'catalogued'],
      [`${zipPath}!/docs.tar.gz`, 'catalogued'],
      [`${zipPath}!/manual.pdf`, 'catalogued'],
    ]);
    expect(archive?.members?.find((member) => member.path.endsWith('docs.tar.gz'))?.members?.map((member) => [member.path, member.status])).toEqual([[`${zipPath}!/docs.tar.gz!/changelog.md`, 'catalogued']]);
    // Nothing was written where a member's name points.
    expect(fs.existsSync(path.join(path.dirname(folder), 'escape.txt'))).toBe(false);
    const search = async (word: string) => (JSON.parse((await runDoccat(['search', word, '--json'], { home })).stdout) as { results: { id: number }[] }).results.map((hit) => hit.id);
    const manual = archive?.members?.find((member) => member.path.endsWith('manual.pdf'))?.documentId;
    expect(await search('wombat')).toEqual([manual]);
    expect(await search('quokka')).toHaveLength(1);
    expect(await search('platypus')).toHaveLength(1);
    const shown = JSON.parse((await runDoccat(['show', String(manual), '--json'], { home })).stdout) as { document: { containedIn: { id: number; member: string }[] } };
    expect(shown.document.containedIn).toEqual([{ id: archive?.documentId, ref: `D${archive?.documentId}`, member: 'manual.pdf' }]);
    const staging = path.join(home, '.staging');
    expect(fs.readdirSync(staging)).toEqual([]);

    // Over ingest.maxUnpackedMb the rest stays packed, said by a warning; the archive is still catalogued.
    const small = await runDoccat(['ingest', folder, '--unpack', '--json'], { home: tempDir(), env: { ...NO_CI, DOCCAT_INGEST_MAX_UNPACKED_MB: '0.001' } });
    expect(small.code, small.stderr).toBe(0);
    const [limited] = parseIngestJson(small).files as (ReturnType<typeof parseIngestJson>['files'][number] & { warnings?: { code: string }[]; members?: unknown[] })[];
    expect(limited).toMatchObject({ status: 'catalogued', type: 'archive' });
    expect(limited?.warnings?.map((warning) => warning.code)).toContain('W_UNPACK_TRUNCATED');
  });
});
