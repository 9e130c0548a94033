import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACT_NAMES, gitlabCi, makeArtifacts } from '../support/artifacts.js';
import { runDoccat, tempDir, type RunOptions } from '../support/cli.js';
import { startS3, type TestS3 } from '../support/s3.mjs';

/**
 * The pipeline of the README's "In CI" section with an S3 blob backend (s3rver): what `ingest
 * --ndjson --url` hands back is a presigned URL that serves the very bytes, and prune deletes
 * the S3 objects that no document uses any more.
 */

const SHA_1 = '1111aaaa2222bbbb3333cccc4444dddd5555eeee';
const SHA_2 = '2222bbbb3333cccc4444dddd5555eeee6666ffff';

interface FileLine {
  event: string;
  path: string;
  status: string;
  documentId?: number;
  sha256: string;
  size: number;
  blob: { backend: string; key: string };
  url: string;
}

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(['artifacts']);
});
afterAll(async () => {
  await s3.close();
});

describe('artifacts on an S3 backend', () => {
  const home = tempDir();
  const build = tempDir('doccat-dist-');
  const config = path.join(home, 'doccat.config.json');
  const run = (args: string[], options: RunOptions = {}) => runDoccat([...args, '--config', config], { home, ...options, env: { ...s3.env, ...options.env } });
  const ingest = async (pipeline: string, sha: string): Promise<FileLine[]> => {
    const result = await run(['ingest', build, '--ndjson', '--url'], { env: gitlabCi({ id: pipeline, sha, branch: 'main' }) });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as FileLine).filter((line) => line.event === 'file');
  };
  const download = async (url: string) => {
    const response = await fetch(url);
    return { status: response.status, sha256: createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex') };
  };
  let first: FileLine[] = [];

  it('hands back, per file, its checksum, size, S3 key and a presigned URL that serves the same bytes', async () => {
    fs.writeFileSync(config, JSON.stringify({ storage: { backend: 'cloud', backends: { cloud: s3.backend('artifacts', { prefix: 'ci/' }) } } }));
    makeArtifacts(build, 1);
    first = await ingest('501', SHA_1);
    expect(first.map((file) => path.basename(file.path)).sort()).toEqual([...ARTIFACT_NAMES].sort());
    for (const file of first) {
      const bytes = fs.readFileSync(file.path);
      expect(file).toMatchObject({ status: 'catalogued', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, blob: { backend: 'cloud', key: expect.stringMatching(/^sha256\//) } });
      expect(file.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/artifacts\/ci\/sha256\/.*X-Amz-Signature=/);
      expect(await download(file.url)).toEqual({ status: 200, sha256: file.sha256 });
    }
  });

  it('keeps the last pipeline per branch and deletes the S3 objects nothing uses any more', async () => {
    makeArtifacts(build, 2);
    const second = await ingest('502', SHA_2);
    const rebuilt = new Set(second.filter((file) => file.status === 'catalogued').map((file) => path.basename(file.path)));
    expect([...rebuilt].sort()).toEqual(['app', 'app-stripped', 'junit.xml']);
    const manifest = await run(['manifest', 'run:502', '--format', 'json']);
    expect(manifest.code, manifest.stderr).toBe(0);
    const listed = JSON.parse(manifest.stdout) as { artifacts: { name: string; sha256: string; blob: { backend: string; key: string } }[] };
    expect(listed.artifacts.map((item) => item.name).sort()).toEqual([...ARTIFACT_NAMES].sort());
    expect(new Set(listed.artifacts.map((item) => item.blob.backend))).toEqual(new Set(['cloud']));

    // A document changed by hand is never pruned, whatever the policy.
    const firstJunit = first.find((file) => path.basename(file.path) === 'junit.xml');
    expect((await run(['set', String(firstJunit?.documentId), '--title', 'Flaky retry test, kept for the incident'])).code).toBe(0);
    const pruned = await run(['prune', '--keep-last', '1', '--per', 'branch', '--json']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ pruned: rebuilt.size - 1, failed: 0 });
    for (const file of first) {
      const gone = rebuilt.has(path.basename(file.path)) && file !== firstJunit;
      const fetched = await download(file.url);
      // The first build's copy of a rebuilt file is gone from S3; the bytes both builds share stay, as does what was edited.
      expect([path.basename(file.path), fetched.status]).toEqual([path.basename(file.path), gone ? 404 : 200]);
    }
    const sums = await run(['manifest', 'run:502', '--format', 'sha256sum']);
    expect(sums.stdout.trim().split('\n')).toHaveLength(ARTIFACT_NAMES.length);
  });
});
