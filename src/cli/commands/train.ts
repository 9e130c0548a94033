import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { paint, renderTable, writeJson } from '../output.js';
import { ExitCode } from '../../errors.js';
import type { ModelSummary } from '../../classify/learned/model.js';
import { whyNotLearned } from '../../classify/learned/unlearned.js';

/**
 * Trains the learned classifier from the documents classified by hand and stores it in the
 * catalogue. Ingest, watch, worker and reclassify also retrain at their start when the labels
 * changed since; this command is for doing it now, and for seeing what the model knows.
 */
export async function trainCommand(command: Command): Promise<number> {
  const context = await createContext(command);
  const { config } = context.config;
  const catalog = await openCatalog(context, { readonly: false });
  try {
    const { trainModel } = await import('../../app/learning.js');
    const report = await trainModel(catalog, config);
    if (!config.features.learning && !context.output.quiet) process.stderr.write('note: features.learning is off, so this model is not used to classify\n');
    if (context.output.json) {
      writeJson({ ...report, minExamples: config.classify.learned.minExamples, minConfidence: config.classify.learned.minConfidence });
      return ExitCode.ok;
    }
    const color = context.output.color;
    if (!report.trained) {
      process.stdout.write(`nothing learned: ${report.reason}\n`);
      return ExitCode.ok;
    }
    const threads = report.threads > 1 ? ` in ${report.threads} threads` : '';
    process.stdout.write(`${paint(color, 'bold', 'trained')} on ${report.documents} documents in ${report.trainMs} ms (${report.cpuMs} ms CPU${threads}; model ${Math.ceil(report.modelBytes / 1024)} KiB)\n`);
    if (report.summary) process.stdout.write(await labelTable(report.summary, color));
    return ExitCode.ok;
  } finally {
    await catalog.close();
  }
}

async function labelTable(summary: ModelSummary, color: boolean): Promise<string> {
  const rows: (string | number)[][] = [];
  const add = (kind: 'type' | 'correspondent' | 'tag', counts: Record<string, number>) => {
    for (const [label, count] of Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      const why = whyNotLearned(summary, kind, label);
      rows.push([kind, label, Math.round(count * 100) / 100, why === undefined ? 'yes' : `no (${why})`]);
    }
  };
  add('type', summary.types);
  add('correspondent', summary.correspondents);
  add('tag', summary.tags);
  return `${await renderTable(['label', 'value', 'examples', 'predicted'], rows, color)}\n`;
}
