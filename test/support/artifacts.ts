import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { makeTextPdf } from './pdf-writer.mjs';
import { tempDir } from './cli.js';

/**
 * A folder of real build artifacts, made the way a pipeline makes them: a C program compiled by
 * cc (and a stripped copy), a zip, a Python wheel, an npm tarball (npm pack's layout, by tar),
 * a source tar.gz, a CycloneDX SBOM, a JUnit report and a PDF. `version` changes what a rebuild
 * changes (the program, the test report); the rest stays byte for byte the same.
 */

export const ARTIFACT_NAMES = ['app', 'app-stripped', 'dist.zip', 'pkg-1.0.0-py3-none-any.whl', 'web-1.2.3.tgz', 'source.tar.gz', 'sbom.cdx.json', 'junit.xml', 'report.pdf'] as const;

export function hasCompiler(): boolean {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makeArtifacts(dir: string, version: number): string {
  fs.mkdirSync(dir, { recursive: true });
  const work = tempDir('doccat-build-');
  fs.writeFileSync(path.join(work, 'app.c'), `#include <stdio.h>\nint main(void) { puts("app version ${version}"); return 0; }\n`);
  if (hasCompiler()) {
    execFileSync('cc', ['-O1', '-Wl,--build-id', '-o', path.join(dir, 'app'), path.join(work, 'app.c')]);
    execFileSync('cc', ['-O1', '-s', '-Wl,--build-id', '-o', path.join(dir, 'app-stripped'), path.join(work, 'app.c')]);
  } else {
    // Without a compiler: the system's own (stripped) binary, made distinct per version.
    for (const name of ['app', 'app-stripped']) fs.writeFileSync(path.join(dir, name), Buffer.concat([fs.readFileSync('/usr/bin/true'), Buffer.from(`\nversion ${version} ${name}\n`)]));
  }
  fs.writeFileSync(path.join(dir, 'dist.zip'), zipSync({ 'README.md': strToU8('# Acme app\nRelease bundle.\n'), 'config/defaults.json': strToU8('{"port": 8080}\n') }, { mtime: new Date('2024-01-01T00:00:00Z') }));
  fs.writeFileSync(
    path.join(dir, 'pkg-1.0.0-py3-none-any.whl'),
    zipSync({
      'pkg/__init__.py': strToU8('VERSION = "1.0.0"\n'),
      'pkg-1.0.0.dist-info/METADATA': strToU8('Metadata-Version: 2.1\nName: pkg\nVersion: 1.0.0\nSummary: The acme helper package\nLicense: MIT\n\nLong description.\n'),
      'pkg-1.0.0.dist-info/WHEEL': strToU8('Wheel-Version: 1.0\n'),
    }, { mtime: new Date('2024-01-01T00:00:00Z') }),
  );
  const npm = path.join(work, 'npm', 'package');
  fs.mkdirSync(npm, { recursive: true });
  fs.writeFileSync(path.join(npm, 'package.json'), JSON.stringify({ name: '@acme/web', version: '1.2.3', description: 'Acme web bundle', license: 'MIT' }));
  fs.writeFileSync(path.join(npm, 'index.js'), 'export const web = true;\n');
  tar(path.join(dir, 'web-1.2.3.tgz'), path.join(work, 'npm'), ['package']);
  const source = path.join(work, 'src', 'acme-1.0');
  fs.mkdirSync(path.join(source, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(source, 'Makefile'), 'all:\n\tcc app.c\n');
  fs.writeFileSync(path.join(source, 'lib', 'util.c'), 'int util(void) { return 1; }\n');
  tar(path.join(dir, 'source.tar.gz'), path.join(work, 'src'), ['acme-1.0']);
  fs.writeFileSync(
    path.join(dir, 'sbom.cdx.json'),
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata: { component: { type: 'application', name: 'acme-app', version: '1.0.0' } },
      components: [
        { type: 'library', name: 'zlib', version: '1.3.1', purl: 'pkg:generic/zlib@1.3.1' },
        { type: 'library', name: 'openssl', version: '3.0.13', purl: 'pkg:generic/openssl@3.0.13', components: [{ type: 'library', name: 'libcrypto', version: '3.0.13' }] },
      ],
    }, null, 2),
  );
  const failing = version === 1 ? '<testcase classname="net.Client" name="retries on timeout"><failure message="expected 3 retries, got 2">at client.test.js:40</failure></testcase>' : '<testcase classname="net.Client" name="retries on timeout"/>';
  fs.writeFileSync(
    path.join(dir, 'junit.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="unit">\n  <testsuite name="net.Client" tests="3" failures="${version === 1 ? 1 : 0}" errors="0" skipped="1" time="0.42">\n    <testcase classname="net.Client" name="connects"/>\n    ${failing}\n    <testcase classname="net.Client" name="uses a proxy"><skipped/></testcase>\n  </testsuite>\n</testsuites>\n`,
  );
  fs.writeFileSync(path.join(dir, 'report.pdf'), makeTextPdf([['Build report', 'All release checks passed for the acme app.']], { title: 'Build report' }));
  return dir;
}

/** A reproducible tarball: fixed owner, time and order, as packaging tools write them. */
function tar(output: string, cwd: string, members: string[]): void {
  // tar pipes into gzip, which then writes no name or time into its header.
  execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=2024-01-01 00:00:00Z', '-czf', output, '-C', cwd, ...members]);
}

/** Every CI variable doccat reads, empty: a test's environment says exactly which service runs it. */
export const NO_CI: NodeJS.ProcessEnv = {
  CI: 'false',
  GITHUB_ACTIONS: '',
  GITLAB_CI: '',
  BUILDKITE: '',
  CIRCLECI: '',
  TF_BUILD: '',
  JENKINS_URL: '',
  JENKINS_HOME: '',
};

export function githubActions(run: { id: string; sha: string; branch?: string; tag?: string; attempt?: string; repository?: string }): NodeJS.ProcessEnv {
  const repository = run.repository ?? 'acme/app';
  const ref = run.tag ? `refs/tags/${run.tag}` : `refs/heads/${run.branch ?? 'main'}`;
  return {
    ...NO_CI,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: repository,
    GITHUB_SHA: run.sha,
    GITHUB_REF: ref,
    GITHUB_REF_TYPE: run.tag ? 'tag' : 'branch',
    GITHUB_REF_NAME: run.tag ?? run.branch ?? 'main',
    GITHUB_HEAD_REF: '',
    GITHUB_WORKFLOW: 'release',
    GITHUB_JOB: 'build',
    GITHUB_RUN_ID: run.id,
    GITHUB_RUN_ATTEMPT: run.attempt ?? '1',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
  };
}

export function gitlabCi(pipeline: { id: string; sha: string; branch: string }): NodeJS.ProcessEnv {
  return {
    ...NO_CI,
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PROJECT_PATH: 'acme/app',
    CI_PROJECT_URL: 'https://gitlab.example.com/acme/app',
    CI_COMMIT_SHA: pipeline.sha,
    CI_COMMIT_BRANCH: pipeline.branch,
    CI_COMMIT_REF_NAME: pipeline.branch,
    CI_COMMIT_TAG: '',
    CI_MERGE_REQUEST_IID: '',
    CI_PIPELINE_ID: pipeline.id,
    CI_PIPELINE_IID: '12',
    CI_PIPELINE_URL: `https://gitlab.example.com/acme/app/-/pipelines/${pipeline.id}`,
    CI_PIPELINE_SOURCE: 'push',
    CI_JOB_NAME: 'package',
    CI_JOB_ID: '9001',
    CI_JOB_URL: 'https://gitlab.example.com/acme/app/-/jobs/9001',
  };
}
