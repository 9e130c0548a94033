import type { Ora } from 'ora';

export interface ProgressState {
  total: number;
  done: number;
  failed: number;
  pagesOcr: number;
}

/**
 * Progress on stderr while ingest runs: files done/total, pages OCRed, rate and ETA.
 * Silent when stderr is not a terminal or with --quiet, so logs and pipes stay clean.
 */
export class Progress {
  private spinner: Ora | undefined;
  private readonly state: ProgressState = { total: 0, done: 0, failed: 0, pagesOcr: 0 };
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly enabled: boolean,
    private readonly unit: string,
  ) {}

  static async create(enabled: boolean, unit = 'files'): Promise<Progress> {
    // A terminal that reports no width (`script` starts with 0x0) sends ora's line counting round
    // for ever: no spinner there, as on a pipe.
    const progress = new Progress(enabled && Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0, unit);
    if (progress.enabled) {
      const { default: ora } = await import('ora');
      const { unguardedStderr } = await import('./output.js');
      progress.spinner = ora({ stream: unguardedStderr(), text: 'finding files…', discardStdin: false }).start();
      progress.timer = setInterval(() => progress.render(), 500);
      progress.timer.unref();
    }
    return progress;
  }

  setTotal(total: number): void {
    this.state.total = total;
    this.render();
  }

  page(ocr: boolean): void {
    if (ocr) this.state.pagesOcr += 1;
  }

  fileDone(failed: boolean): void {
    this.state.done += 1;
    if (failed) this.state.failed += 1;
    this.render();
  }

  /** Prints a line above the spinner without garbling it. */
  log(line: string): void {
    if (this.spinner) {
      this.spinner.clear();
      process.stderr.write(`${line}\n`);
      this.spinner.render();
    } else {
      process.stderr.write(`${line}\n`);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.spinner?.stop();
    this.spinner = undefined;
  }

  private render(): void {
    if (!this.spinner) return;
    const { total, done, failed, pagesOcr } = this.state;
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 && total > done ? ` · ETA ${formatDuration((total - done) / rate)}` : '';
    const failedText = failed > 0 ? ` · ${failed} failed` : '';
    const ocr = this.unit === 'files' ? ` · ${pagesOcr} pages OCRed` : '';
    this.spinner.text = `${done}/${total} ${this.unit}${ocr} · ${rate.toFixed(1)} ${this.unit}/s${eta}${failedText}`;
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
