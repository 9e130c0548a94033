import path from 'node:path';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { artifactManifest, type ManifestBuild, type ManifestEntry } from '../../app/manifest.js';
import { buildTree, hasText, type FilterFlags } from '../filters.js';
import { writeJson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';

export interface ManifestFlags extends FilterFlags {
  format?: 'json' | 'markdown' | 'sha256sum';
  relativeTo?: string;
}

/**
 * `doccat manifest [filters]`: the artifacts of a run, commit or branch as a JSON document, a
 * release-notes table (Markdown) or a checksum file `sha256sum -c` verifies. One entry per file:
 * a document built twice in the run (two paths) is listed twice, as sha256sum would list it.
 * With provenance filters (run:, commit:, branch:...) the paths are those the document had in the
 * matching builds; otherwise its sources' paths. Paths are relative to --relative-to (default:
 * the working folder), so the checksum file verifies where the files were ingested from.
 */
export async function manifestCommand(filters: string[], options: ManifestFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const tree = buildTree(filters.join(' '), options);
  if (hasText(tree)) throw usageError('E_USAGE', 'manifest takes filters only (run:123, commit:abc1234, ...)', 'select artifacts with field:value filters, as in `doccat list`');
  const format = options.format ?? (context.output.json ? 'json' : 'markdown');
  const base = path.resolve(options.relativeTo ?? process.cwd());
  const { provenance, artifacts: entries } = await artifactManifest(context, { tree, limit: options.limit, relativeTo: base });
  if (format === 'json') writeJson({ generatedAt: new Date().toISOString(), query: filters.join(' '), relativeTo: base, provenance, artifacts: entries });
  else if (format === 'sha256sum') process.stdout.write(entries.map((entry) => checksumLine(entry.sha256, entry.path)).join(''));
  else process.stdout.write(markdown(entries, provenance));
  return ExitCode.ok;
}

/** As GNU sha256sum writes it: a name with a backslash or newline is escaped and the line starts with a backslash. */
function checksumLine(sha256: string, name: string): string {
  if (!/[\\\n\r]/.test(name)) return `${sha256}  ${name}\n`;
  return `\\${sha256}  ${name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}\n`;
}

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A table cell: pipes escaped, lines joined, backticks kept out of code spans. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function code(text: string): string {
  const clean = text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

/** The few facts a release note shows per artifact. */
function details(entry: ManifestEntry): string {
  const f = entry.fields;
  if (f['package.name']) return `${f['package.ecosystem'] ?? ''} ${f['package.name']} ${f['package.version'] ?? ''}`.trim();
  if (f['executable.format']) return [f['executable.format'].toUpperCase(), f['executable.arch'], f['executable.bits'] ? `${f['executable.bits']}-bit` : '', f['executable.stripped'] === 'true' ? 'stripped' : '', f['executable.build_id'] ? `build-id ${f['executable.build_id'].slice(0, 16)}` : ''].filter(Boolean).join(' ');
  if (f['tests.total']) return `${f['tests.total']} tests, ${f['tests.failures'] ?? 0} failures, ${f['tests.errors'] ?? 0} errors, ${f['tests.skipped'] ?? 0} skipped`;
  if (f['sbom.format']) return `${f['sbom.format']} SBOM, ${f['sbom.components'] ?? '?'} components`;
  if (f['coverage.lines']) return `lines ${f['coverage.lines']}%${f['coverage.branches'] ? `, branches ${f['coverage.branches']}%` : ''}`;
  if (f['archive.format']) return `${f['archive.format']}, ${f['archive.entries'] ?? '?'} entries`;
  return entry.mime;
}

function markdown(entries: readonly ManifestEntry[], provenance: readonly ManifestBuild[]): string {
  const lines = ['## Artifacts', ''];
  // One build: say which; several: list each, so the table's provenance is not guessed.
  for (const build of provenance.slice(0, 10)) {
    const ref = build.tag ? `tag ${code(build.tag)}` : build.branch ? `branch ${code(build.branch)}` : '';
    const run = build.runId ? (build.runUrl ? `[run ${cell(build.runId)}${build.runAttempt && build.runAttempt !== '1' ? ` attempt ${cell(build.runAttempt)}` : ''}](${build.runUrl})` : `run ${cell(build.runId)}`) : '';
    lines.push(`- ${[build.repository ? code(build.repository) : build.provider, build.commit ? `commit ${code(build.commit.slice(0, 12))}` : '', ref, build.pullRequest ? `PR ${cell(build.pullRequest)}` : '', run].filter(Boolean).join(' · ')}`);
  }
  if (provenance.length > 10) lines.push(`- and ${provenance.length - 10} more builds`);
  if (provenance.length > 0) lines.push('');
  lines.push('| File | Size | SHA-256 | Type | Details |', '| --- | ---: | --- | --- | --- |');
  for (const entry of entries) lines.push(`| ${code(entry.path)} | ${humanSize(entry.size)} | ${code(entry.sha256)} | ${cell(entry.type)} | ${cell(details(entry))} |`);
  lines.push('', `${entries.length} file${entries.length === 1 ? '' : 's'}, ${humanSize(entries.reduce((sum, entry) => sum + entry.size, 0))}.`, '');
  return lines.join('\n');
}
