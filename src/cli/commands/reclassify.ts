import type { Command } from 'commander';
import { createContext } from '../context.js';
import { buildTree, type FilterFlags } from '../filters.js';
import { paint, problemLine, renderTable, truncateMiddle, writeJson, writeNdjson } from '../output.js';
import { Progress } from '../progress.js';
import { ExitCode } from '../../errors.js';
import { reclassify } from '../../app/reclassify.js';

export interface ReclassifyFlags extends Omit<FilterFlags, 'limit'> {
  limit?: number;
  provider?: string;
  dryRun?: boolean;
  force?: boolean;
  ndjson?: boolean;
  jobs?: number;
}

export async function reclassifyCommand(words: string[], options: ReclassifyFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const tree = buildTree(words.join(' '), { ...options, limit: 0, offset: 0 });
  let progress: Progress | undefined;
  let report;
  try {
    report = await reclassify(
      context,
      { tree, ...(options.limit !== undefined ? { limit: options.limit } : {}), ...(options.provider ? { provider: options.provider } : {}), dryRun: Boolean(options.dryRun), force: Boolean(options.force), ...(options.jobs !== undefined ? { jobs: options.jobs } : {}) },
      {
        started: async (total) => {
          progress = await Progress.create(!context.output.quiet, 'documents');
          progress.setTotal(total);
        },
        document: (outcome) => {
          progress?.fileDone(outcome.error !== undefined);
          if (outcome.error) progress?.log(problemLine(outcome.ref, outcome.error, context.output.stderrColor));
          if (context.output.ndjson) writeNdjson({ event: 'document', runId: context.runId, ...outcome });
        },
      },
    );
  } finally {
    progress?.stop();
  }
  const { documents: outcomes, changed, failed } = report;
  if (context.output.json) {
    writeJson(report);
  } else if (!context.output.ndjson) {
    const rows = outcomes.flatMap((outcome) =>
      outcome.changes.map((change, index) => [index === 0 ? outcome.ref : '', change.field, truncateMiddle(change.old ?? '∅', 30), truncateMiddle(change.new ?? '∅', 30), index === 0 ? outcome.classifier ?? '' : '']),
    );
    if (rows.length > 0) process.stdout.write(`${await renderTable(['id', 'field', 'old', 'new', 'by'], rows, context.output.color)}\n`);
    if (!context.output.quiet) {
      const kept = outcomes.reduce((sum, outcome) => sum + outcome.keptManual.length, 0);
      const verb = options.dryRun ? 'would change' : 'changed';
      process.stderr.write(`${paint(context.output.stderrColor, 'bold', `${outcomes.length} documents`)}: ${changed} ${verb}, ${outcomes.length - changed - failed} unchanged${failed > 0 ? `, ${failed} failed` : ''}${kept > 0 ? `; ${kept} hand-set fields kept` : ''}${options.dryRun ? ' (dry run: nothing written)' : ''}\n`);
    }
  }
  if (report.interrupted) return ExitCode.interrupted;
  return failed > 0 ? ExitCode.someFailed : ExitCode.ok;
}
