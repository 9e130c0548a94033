import { sleep } from '../system/process.js';

/**
 * Token buckets for requests and tokens per minute. cockatiel governs retries, the breaker,
 * timeouts and concurrency but has no rate limiter; this is the classic bucket, refilled
 * continuously so requests are spaced rather than sent in bursts at each minute.
 */
export class TokenBucket {
  private available: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    // Starting with one request's worth, not a full minute's, so a burst cannot open a run.
    this.available = Math.min(perMinute, Math.max(1, perMinute / 60));
    this.updatedAt = this.now();
  }

  /** Waits until `amount` can be taken (at most a minute's worth), in arrival order. */
  take(amount: number, signal?: AbortSignal): Promise<void> {
    const wanted = Math.min(amount, this.perMinute);
    const turn = this.queue.then(() => this.waitFor(wanted, signal));
    // A cancelled wait must not block those queued behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Gives back what a request was charged beyond what it used. */
  refund(amount: number): void {
    this.refill();
    this.available = Math.min(this.perMinute, this.available + amount);
  }

  private refill(): void {
    const now = this.now();
    this.available = Math.min(this.perMinute, this.available + ((now - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = now;
  }

  private async waitFor(amount: number, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.refill();
      if (this.available >= amount) {
        this.available -= amount;
        return;
      }
      const waitMs = Math.ceil(((amount - this.available) * 60_000) / this.perMinute);
      await sleep(waitMs, signal);
    }
  }
}
