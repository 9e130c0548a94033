import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { CatalogueStats } from '../db/stats.js';
import { paint } from './output.js';

/**
 * Small charts for `doccat stats` on a terminal. The series are read here, not added to
 * CatalogueStats, so that `stats --json` stays exactly what scripts already parse.
 */

export interface ChartSeries {
  /** Oldest first, one entry per day (or per week over long ranges), empty days included. */
  documents: { label: string; count: number }[];
  failures: { label: string; count: number }[];
  bucket: 'day' | 'week';
  /** Documents per OCR-confidence decile, 0-9 to 90-100. */
  ocrConfidence: number[];
}

const DAY_MS = 86_400_000;
/** Long ranges are drawn per week so that the chart stays one line on an 80-column terminal. */
const MAX_COLUMNS = 60;

export async function readChartSeries(db: Kysely<Database>, since: string | undefined, now: Date): Promise<ChartSeries> {
  let documents = db.selectFrom('documents').select(['added_at', 'ocr_confidence']);
  if (since) documents = documents.where('added_at', '>=', since);
  const rows = await documents.execute();
  let failed = db.selectFrom('ingest_events').select('at').where('status', '=', 'failed');
  if (since) failed = failed.where('at', '>=', since);
  const failures = await failed.execute();

  const added = rows.map((row) => Date.parse(String(row.added_at))).filter(Number.isFinite);
  const failedAt = failures.map((row) => Date.parse(String(row.at))).filter(Number.isFinite);
  const end = startOfDay(now.getTime());
  const earliest = since ? startOfDay(Date.parse(since)) : Math.min(end - 13 * DAY_MS, ...added.map(startOfDay), ...failedAt.map(startOfDay));
  const days = Math.floor((end - earliest) / DAY_MS) + 1;
  const bucket = days > MAX_COLUMNS ? 'week' : 'day';
  const width = bucket === 'week' ? 7 * DAY_MS : DAY_MS;
  const columns = Math.min(MAX_COLUMNS, Math.ceil(days / (width / DAY_MS)));
  const first = end - (columns - 1) * width;
  const series = (times: number[]) => {
    const counts = Array.from({ length: columns }, (_, index) => ({ label: new Date(first + index * width).toISOString().slice(0, 10), count: 0 }));
    for (const time of times) {
      const index = Math.floor((startOfDay(time) - first) / width);
      const slot = counts[index];
      if (slot) slot.count += 1;
    }
    return counts;
  };

  const confidences = rows.map((row) => row.ocr_confidence).filter((value): value is number => typeof value === 'number');
  // tesseract reports 0-100; a 0-1 scale is read as the same thing.
  const scale = confidences.length > 0 && confidences.every((value) => value <= 1) ? 100 : 1;
  const ocrConfidence = Array.from({ length: 10 }, () => 0);
  for (const value of confidences) {
    const decile = Math.min(9, Math.max(0, Math.floor((value * scale) / 10)));
    ocrConfidence[decile] = (ocrConfidence[decile] ?? 0) + 1;
  }
  return { documents: series(added), failures: series(failedAt), bucket, ocrConfidence };
}

function startOfDay(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

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
