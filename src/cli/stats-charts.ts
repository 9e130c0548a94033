import type { CatalogueStats } from '../app/stats.js';
import type { ChartSeries } from '../app/chart-series.js';
import { paint } from './output.js';

/** Small charts for `doccat stats` on a terminal, from the series app/chart-series.ts reads. */

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One character per value, scaled to the largest; zero is a blank so that gaps stand out. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  return values.map((value) => (value <= 0 || max === 0 ? ' ' : (SPARKS[Math.min(SPARKS.length - 1, Math.ceil((value / max) * SPARKS.length) - 1)] as string))).join('');
}

/** A horizontal bar of `value / max` of `width` cells, in eighths. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8] as string;
  return '█'.repeat(Math.floor(eighths / 8)) + partial;
}

export function renderCharts(stats: CatalogueStats, series: ChartSeries, color: boolean): string {
  const heading = (text: string) => `${paint(color, 'bold', text)}\n`;
  const lines: string[] = [];
  const per = series.bucket === 'week' ? 'week' : 'day';
  const range = (values: { label: string }[]) => `${values[0]?.label ?? ''} … ${values.at(-1)?.label ?? ''}`;
  const total = (values: { count: number }[]) => values.reduce((sum, item) => sum + item.count, 0);
  const max = (values: { count: number }[]) => Math.max(0, ...values.map((item) => item.count));

  lines.push(heading(`Activity per ${per}, ${range(series.documents)}`));
  lines.push(`documents  ${paint(color, 'green', sparkline(series.documents.map((item) => item.count)))}  ${total(series.documents)} (max ${max(series.documents)}/${per})\n`);
  lines.push(`failures   ${paint(color, 'red', sparkline(series.failures.map((item) => item.count)))}  ${total(series.failures)} (max ${max(series.failures)}/${per})\n\n`);

  const timed = stats.stages.filter((stage) => stage.p50Ms !== null);
  if (timed.length > 0) {
    lines.push(heading('Stage latency (p50 bar, p95 after it)'));
    const longest = Math.max(...timed.map((stage) => stage.p95Ms ?? stage.p50Ms ?? 0));
    for (const stage of timed) {
      const p50 = stage.p50Ms ?? 0;
      const p95 = stage.p95Ms ?? p50;
      const shown = bar(p50, longest, 30);
      const tail = bar(p95, longest, 30).slice(shown.length);
      lines.push(`${stage.stage.padEnd(9)}  ${paint(color, 'cyan', shown)}${paint(color, 'dim', tail)}${' '.repeat(Math.max(0, 30 - shown.length - tail.length))}  ${p50} ms / ${p95} ms\n`);
    }
    lines.push('\n');
  }

  const scanned = series.ocrConfidence.reduce((sum, count) => sum + count, 0);
  if (scanned > 0) {
    lines.push(heading(`OCR confidence (${scanned} documents)`));
    const most = Math.max(...series.ocrConfidence);
    series.ocrConfidence.forEach((count, decile) => {
      if (count === 0 && decile < series.ocrConfidence.findIndex((value) => value > 0)) return;
      const low = decile * 10;
      const style = low < 60 ? 'red' : low < 80 ? 'yellow' : 'green';
      lines.push(`${String(low).padStart(3)}-${String(low + (decile === 9 ? 10 : 9)).padEnd(3)}  ${paint(color, style, bar(count, most, 30))}${' '.repeat(Math.max(0, 30 - bar(count, most, 30).length))}  ${count}\n`);
    });
    lines.push('\n');
  }
  return lines.join('');
}
