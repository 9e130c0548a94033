// @ts-check
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, cores, line, timeProcess } from './common.js';

/**
 * A CI artifact folder: 1,000 files, about 2 GB, mostly binary (random payloads, which neither
 * side can compress or skip), with executables, tar.gz and zip archives, wheels, npm tarballs,
 * SBOMs and JUnit reports among them. doccat catalogues it in CI mode (GitHub Actions
 * provenance) against `sha256sum` of every file plus `cp -r` of the folder, the least a
 * pipeline step that checksums and stores its artifacts does; both read the same files from the
 * page cache in the same run.
 */
export async function benchArtifacts() {
  const { zipSync, strToU8 } = await import('fflate');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-artifacts-'));
  const dist = path.join(dir, 'dist');
  fs.mkdirSync(dist);
  let bytes = 0;
  const write = (name, content) => {
    fs.writeFileSync(path.join(dist, name), content);
    bytes += content.length;
  };
  const systemBinaries = ['/usr/bin/ls', '/usr/bin/grep', '/usr/bin/tar', '/usr/bin/find', '/usr/bin/sort'].filter((file) => fs.existsSync(file));
  const work = path.join(dir, 'work');
  fs.mkdirSync(work);
  let count = 0;
  for (let index = 0; count < 1000; index += 1) {
    const kind = index % 50;
    if (kind < 44) {
      // 0.5 to 3.5 MB of random bytes: builds, images, blobs.
      write(`blob-${index}.bin`, crypto.randomBytes(512 * 1024 + ((index * 7919) % 3072) * 1024));
    } else if (kind === 44 && systemBinaries.length > 0) {
      write(`tool-${index}`, Buffer.concat([fs.readFileSync(systemBinaries[index % systemBinaries.length]), crypto.randomBytes(64)]));
    } else if (kind === 45) {
      const folder = path.join(work, `pkg-${index}`);
      fs.mkdirSync(folder);
      for (let file = 0; file < 20; file += 1) fs.writeFileSync(path.join(folder, `part-${file}.dat`), crypto.randomBytes(150 * 1024));
      spawnSync('tar', ['-czf', path.join(dist, `bundle-${index}.tar.gz`), '-C', work, `pkg-${index}`], { env: { ...process.env, GZIP: '-1' } });
      bytes += fs.statSync(path.join(dist, `bundle-${index}.tar.gz`)).size;
    } else if (kind === 46) {
      const files = {};
      for (let file = 0; file < 30; file += 1) files[`assets/${file}.png`] = new Uint8Array(crypto.randomBytes(100 * 1024));
      write(`site-${index}.zip`, Buffer.from(zipSync(files, { level: 0 })));
    } else if (kind === 47) {
      write(`pkg${index}-1.0.0-py3-none-any.whl`, Buffer.from(zipSync({ [`pkg${index}/__init__.py`]: strToU8('x = 1\n'), [`pkg${index}/data.bin`]: new Uint8Array(crypto.randomBytes(400 * 1024)), [`pkg${index}-1.0.0.dist-info/METADATA`]: strToU8(`Metadata-Version: 2.1\nName: pkg${index}\nVersion: 1.0.0\n`) }, { level: 0 })));
    } else if (kind === 48) {
      write(`sbom-${index}.cdx.json`, Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { component: { name: `app-${index}`, version: '1.0.0' } }, components: Array.from({ length: 500 }, (_, item) => ({ name: `lib${item}`, version: `1.${item}.0`, purl: `pkg:npm/lib${item}@1.${item}.0` })) })));
    } else {
      write(`junit-${index}.xml`, Buffer.from(`<?xml version="1.0"?>\n<testsuites>${Array.from({ length: 20 }, (_, suite) => `<testsuite name="s${suite}" tests="50" failures="${suite % 3}" errors="0" skipped="1">${Array.from({ length: 50 }, (_, test) => `<testcase classname="s${suite}" name="t${test}"/>`).join('')}</testsuite>`).join('')}</testsuites>\n`));
    }
    count += 1;
  }
  const megabytes = bytes / 1024 / 1024;
  console.log(`\nArtifacts: ${count} files, ${megabytes.toFixed(0)} MB, ${cores} cores; page cache warm for both sides`);
  // The baseline: checksums of every file, then a copy of the folder.
  const copy = path.join(dir, 'copy');
  const baselineStarted = performance.now();
  const sums = spawnSync('sh', ['-c', `cd '${dist}' && find . -type f -print0 | xargs -0 -P ${cores} -n 100 sha256sum > '${path.join(dir, 'SUMS')}' && cp -r '${dist}' '${copy}'`]);
  if (sums.status !== 0) throw new Error(`baseline failed: ${sums.stderr}`);
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  const home = path.join(dir, 'home');
  const env = { ...process.env, DOCCAT_HOME: home, CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/app', GITHUB_SHA: 'a'.repeat(40), GITHUB_REF: 'refs/heads/main', GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'main', GITHUB_RUN_ID: '1', GITHUB_RUN_ATTEMPT: '1' };
  const doccat = await timeProcess(process.execPath, [path.join(root, 'bin', 'doccat.js'), 'ingest', dist, '--json', '--quiet'], { env, cwd: dir });
  const report = JSON.parse(doccat.stdout);
  line('doccat ingest (CI mode)', `${doccat.seconds.toFixed(1)} s, ${(megabytes / doccat.seconds).toFixed(0)} MB/s (${report.summary.catalogued} catalogued, ${report.summary.failed} failed)`);
  line('baseline: sha256sum -P cores + cp -r', `${baselineSeconds.toFixed(1)} s, ${(megabytes / baselineSeconds).toFixed(0)} MB/s`);
  line('ratio doccat / baseline throughput', `${(baselineSeconds / doccat.seconds).toFixed(2)}x (goal >= 0.5x)`);
  const again = await timeProcess(process.execPath, [path.join(root, 'bin', 'doccat.js'), 'ingest', dist, '--json', '--quiet'], { env: { ...env, GITHUB_RUN_ID: '2', GITHUB_SHA: 'b'.repeat(40) }, cwd: dir });
  line('doccat ingest again, next run (all unchanged)', `${again.seconds.toFixed(1)} s`);
  fs.rmSync(dir, { recursive: true, force: true });
}
