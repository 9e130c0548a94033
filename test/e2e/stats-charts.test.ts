import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runDoccat, tempDir } from '../support/cli.js';
import { bar, sparkline } from '../../src/cli/stats-charts.js';

const BLOCKS = /[▁▂▃▄▅▆▇█▏▎▍▌▋▊▉]/;
const home = tempDir();
const colour = { NO_COLOR: '', FORCE_COLOR: '1' };

beforeAll(async () => {
  const inputs = tempDir('doccat-stats-');
  fs.copyFileSync(path.join(FIXTURES, 'scans', 'letter.png'), path.join(inputs, 'letter.png'));
  for (const name of fs.readdirSync(path.join(FIXTURES, 'text'))) fs.copyFileSync(path.join(FIXTURES, 'text', name), path.join(inputs, name));
  fs.writeFileSync(path.join(inputs, 'corrupt.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3000, 0x5a)]));
  expect((await runDoccat(['ingest', inputs, '-q'], { home })).code).toBe(3);
});

describe('doccat stats', () => {
  it('draws activity sparklines, stage latency bars and an OCR confidence histogram where there is colour', async () => {
    const result = await runDoccat(['stats'], { home, env: colour });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('\u001b[32m');
    const stdout = result.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(stdout).toMatch(/Activity per day, \d{4}-\d{2}-\d{2} … \d{4}-\d{2}-\d{2}/);
    expect(stdout).toMatch(/^documents {2}[ ▁▂▃▄▅▆▇█]*█ {2}4 \(max 4\/day\)$/m);
    expect(stdout).toMatch(/^failures {3}[ ▁▂▃▄▅▆▇█]*█ {2}1 \(max 1\/day\)$/m);
    expect(stdout).toContain('Stage latency');
    expect(stdout).toMatch(/^extract\s+\S*[█▏▎▍▌▋▊▉]/m);
    expect(stdout).toContain('OCR confidence (1 documents)');
    // The text report is still there, above the charts.
    expect(stdout).toMatch(/documents\s+4 \(/);
  });

  it('prints plain text without a terminal or with NO_COLOR, and --json unchanged', async () => {
    const plain = await runDoccat(['stats'], { home });
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toMatch(BLOCKS);
    expect(plain.stdout).not.toContain('Activity per');
    expect(plain.stdout).toMatch(/documents\s+4 \(/);

    const json = await runDoccat(['stats', '--json'], { home, env: colour });
    expect(Object.keys(JSON.parse(json.stdout) as object)).toEqual(['since', 'until', 'documents', 'sources', 'files', 'throughput', 'stages', 'ocr', 'providers', 'failures', 'hooks', 'alerts']);
    expect(json.stdout).not.toMatch(BLOCKS);
  });
});

describe('chart pieces', () => {
  it('scales a sparkline to its largest value and leaves empty slots blank', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe(' ▁▂▄█');
    expect(sparkline([0, 0])).toBe('  ');
  });

  it('draws bars in eighths of a cell', () => {
    expect(bar(10, 10, 4)).toBe('████');
    expect(bar(5, 10, 4)).toBe('██');
    expect(bar(1, 64, 8)).toBe('▏');
    expect(bar(0, 10, 4)).toBe('');
  });
});
