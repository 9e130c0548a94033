import type { Logger } from 'pino';
import type { AlertRule } from '../config/schema.js';

/**
 * Alert rules over the catalogue's own figures: each check measures every rule, compares it with
 * its threshold, and where the outcome differs from the state recorded for the rule, records the
 * new state and announces it once (`alert.fired`, later `alert.resolved`). What is measured and
 * where states are kept come from outside (db/alert-metrics.ts, db/alert-states.ts).
 */

export interface Measured {
  value: number | null;
  samples: number;
}

export interface RecordedState {
  state: 'ok' | 'firing';
  since: string;
  firedAt: string | null;
  resolvedAt: string | null;
}

export interface AlertSources {
  measure(rule: AlertRule, now: Date): Promise<Measured>;
  states(): Promise<Map<string, RecordedState>>;
  /** Records a change of state; false when another process recorded it first. */
  transition(change: { name: string; from: 'ok' | 'firing' | undefined; to: 'ok' | 'firing'; value: number | null; message: string; at: string }): Promise<boolean>;
  note(name: string, value: number | null, at: string): Promise<void>;
}

export interface RuleState {
  name: string;
  metric: AlertRule['metric'];
  comparison: 'above' | 'below';
  threshold: number;
  window: string;
  provider?: string;
  stage?: string;
  value: number | null;
  samples: number;
  firing: boolean;
  message: string;
  /** What the catalogue holds for the rule (after this check, when it recorded one). */
  recorded: RecordedState | null;
}

export interface AlertTransition {
  event: 'alert.fired' | 'alert.resolved';
  at: string;
  rule: AlertRule;
  value: number | null;
  threshold: number;
  message: string;
  /** For a resolved alert: when it fired. */
  firedAt: string | null;
}

/** Rates, means and percentiles mean nothing over too few files or calls. */
const NEEDS_SAMPLES = new Set<AlertRule['metric']>(['failureRate', 'providerErrorRate', 'ocrConfidence', 'stageP95']);

/** Whether a measured rule fires, and the sentence that says why (or why not). */
export function judge(rule: AlertRule, measured: Measured): { firing: boolean; message: string } {
  const comparison = rule.above !== undefined ? 'above' : 'below';
  const threshold = (rule.above ?? rule.below) as number;
  const scope = [rule.provider ? `provider ${rule.provider}` : '', rule.stage ? `stage ${rule.stage}` : '', windowed(rule.metric) ? `over ${rule.window}` : ''].filter(Boolean).join(', ');
  const subject = `${rule.metric}${scope ? ` (${scope})` : ''}`;
  if (measured.value === null || (NEEDS_SAMPLES.has(rule.metric) && measured.samples < rule.minSamples)) {
    return { firing: false, message: `${subject}: no data (${measured.samples} sample${measured.samples === 1 ? '' : 's'}, ${rule.minSamples} needed)` };
  }
  const firing = comparison === 'above' ? measured.value > threshold : measured.value < threshold;
  return { firing, message: `${subject} is ${formatValue(measured.value)}, ${firing ? '' : 'not '}${comparison} ${formatValue(threshold)}` };
}

function windowed(metric: AlertRule['metric']): boolean {
  return !['queueDepth', 'oldestJobAge', 'tokenBudgetUsed'].includes(metric);
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

export class AlertMonitor {
  private running: Promise<RuleState[]> | undefined;

  constructor(
    private readonly rules: readonly AlertRule[],
    private readonly sources: AlertSources,
    private readonly onTransition: (transition: AlertTransition) => void,
    private readonly logger?: Logger,
  ) {}

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Every rule's value and whether it fires now, beside what the catalogue recorded; changes nothing. */
  async check(now = new Date()): Promise<RuleState[]> {
    const recorded = await this.sources.states();
    const states: RuleState[] = [];
    for (const rule of this.rules) {
      const measured = await this.sources.measure(rule, now);
      const { firing, message } = judge(rule, measured);
      states.push({
        name: rule.name,
        metric: rule.metric,
        comparison: rule.above !== undefined ? 'above' : 'below',
        threshold: (rule.above ?? rule.below) as number,
        window: rule.window,
        ...(rule.provider ? { provider: rule.provider } : {}),
        ...(rule.stage ? { stage: rule.stage } : {}),
        value: measured.value,
        samples: measured.samples,
        firing,
        message,
        recorded: recorded.get(rule.name) ?? null,
      });
    }
    return states;
  }

  /**
   * check(), then records each change of state and announces the ones this process recorded.
   * Checks do not overlap: a call while one runs waits for that one's result.
   */
  evaluate(now = new Date()): Promise<RuleState[]> {
    this.running ??= this.evaluateNow(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async evaluateNow(now: Date): Promise<RuleState[]> {
    const states = await this.check(now);
    const at = now.toISOString();
    for (const state of states) {
      const rule = this.rules.find((candidate) => candidate.name === state.name) as AlertRule;
      const before = state.recorded?.state;
      const after = state.firing ? 'firing' : 'ok';
      if (before === after) {
        await this.sources.note(state.name, state.value, at);
        continue;
      }
      const changed = await this.sources.transition({ name: state.name, from: before, to: after, value: state.value, message: state.message, at });
      const firedAt = state.recorded?.firedAt ?? null;
      state.recorded = { state: after, since: at, firedAt: after === 'firing' ? at : firedAt, resolvedAt: after === 'ok' ? at : (state.recorded?.resolvedAt ?? null) };
      // A rule first seen quiet is recorded, not announced: nothing was resolved.
      if (!changed || (before === undefined && after === 'ok')) continue;
      const transition: AlertTransition = { event: after === 'firing' ? 'alert.fired' : 'alert.resolved', at, rule, value: state.value, threshold: state.threshold, message: state.message, firedAt: after === 'ok' ? firedAt : at };
      if (after === 'firing') this.logger?.warn({ alert: rule.name, metric: rule.metric, value: state.value, threshold: state.threshold }, `alert fired: ${rule.name}: ${state.message}`);
      else this.logger?.info({ alert: rule.name, metric: rule.metric, value: state.value, threshold: state.threshold }, `alert resolved: ${rule.name}: ${state.message}`);
      this.onTransition(transition);
    }
    return states;
  }

  /** evaluate() every intervalMs until stopped; a failed check is logged and the next one tried. */
  every(intervalMs: number): () => void {
    const timer = setInterval(() => {
      void this.evaluate().catch((error: unknown) => this.logger?.warn({ err: (error as Error).message }, 'could not check the alert rules'));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
