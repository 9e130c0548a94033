import type { Command } from 'commander';
import { createContext } from '../context.js';
import { evaluateClassifiers, type Scores } from '../../app/eval.js';
import { paint, renderTable, writeJson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';

export interface EvalFlags {
  folds?: number;
  provider?: string;
}

/** `doccat eval`: each classifier scored on the documents whose type was set by hand (app/eval.ts). */
export async function evalCommand(options: EvalFlags, command: Command): Promise<number> {
  const folds = options.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2) throw usageError('E_USAGE', `--folds ${String(options.folds)}: at least 2`, 'e.g. --folds 5');
  const context = await createContext(command);
  const report = await evaluateClassifiers(context, { folds, ...(options.provider === undefined ? {} : { provider: options.provider }) });
  if (context.output.json) {
    writeJson(report);
    return ExitCode.ok;
  }
  if (report.documents === 0) {
    process.stdout.write('no documents with a type set by hand yet: set some with doccat set ID --type TYPE, then run doccat eval again\n');
    return ExitCode.ok;
  }
  process.stdout.write(await render(report, context.output.color));
  return ExitCode.ok;
}

const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);

async function render(report: { documents: number; folds: number; classifiers: Record<string, Scores> }, color: boolean): Promise<string> {
  const parts: string[] = [];
  parts.push(`${paint(color, 'bold', `${report.documents} documents`)} with a type set by hand; the learned model by ${report.folds}-fold cross-validation\n`);
  const names = Object.keys(report.classifiers);
  parts.push(`${await renderTable(['classifier', 'accuracy'], names.map((name) => [name, percent(report.classifiers[name]?.accuracy ?? null)]), color)}\n`);
  const types = Object.keys(report.classifiers.rules?.perType ?? {}).filter((type) => (report.classifiers.rules?.perType[type]?.support ?? 0) > 0);
  const head = ['type', 'documents', ...names.flatMap((name) => [`${name} precision`, `${name} recall`])];
  const rows = types.map((type) => [
    type,
    report.classifiers.rules?.perType[type]?.support ?? 0,
    ...names.flatMap((name) => {
      const scores = report.classifiers[name]?.perType[type];
      return [percent(scores?.precision ?? null), percent(scores?.recall ?? null)];
    }),
  ]);
  parts.push(`\n${await renderTable(head, rows, color)}\n`);
  // The confusion of the chain, which is what ingest decides: rows are the types set by hand.
  const confusion = report.classifiers.chain?.confusion ?? {};
  const predicted = [...new Set(Object.values(confusion).flatMap((row) => Object.keys(row)))].sort();
  parts.push(`\n${paint(color, 'bold', 'chain: type set by hand (rows) against type decided (columns)')}\n`);
  parts.push(`${await renderTable(['', ...predicted], types.map((type) => [type, ...predicted.map((column) => confusion[type]?.[column] ?? '')]), color)}\n`);
  return parts.join('');
}
