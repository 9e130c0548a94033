import { createRequire } from 'node:module';
import path from 'node:path';
import type { OpenCatalog } from './catalog.js';
import type { AppContext } from './context.js';
import { tracerFor } from './tracing.js';
import type { Kysely } from 'kysely';
import { AlertMonitor, type AlertSources, type AlertTransition } from '../alerts/monitor.js';
import type { AlertRule, DoccatConfig } from '../config/schema.js';
import type { Database } from '../db/schema.js';
import type { ErrorInfo } from '../errors.js';
import { HookDispatcher } from '../hooks/dispatcher.js';
import { eventBase, MAX_FAILURES_LISTED, type AlertEvent, type DocumentEvent, type RunEvent } from '../hooks/events.js';
import { resolveHookTargets } from '../hooks/targets.js';
import type { Tracer, TraceSpan } from '../observability/tracing.js';
import type { FileOutcome } from '../pipeline/ingest.js';
import { durationAgo } from '../text/duration.js';

const require = createRequire(import.meta.url);

/**
 * What happens around a run besides cataloguing, the same for ingest, watch and worker: hooks
 * after documents, runs and alerts; alert rules checked at the end (and every intervalSeconds in
 * watch and worker); the tracer and the run's span. Hooks are fed from the outcomes the commands
 * already report, after each commit, and never hold up a document.
 */
export interface Automation {
  tracer: Tracer;
  /** The run's span (ingest): what its files' spans go under. */
  runSpan: TraceSpan | undefined;
  /** A file's outcome: hooks.onDocument for catalogued, duplicate and failed ones. */
  document(outcome: Pick<FileOutcome, 'path' | 'status' | 'documentId' | 'correlationId' | 'error'>): void;
  runFinished(run: { status: RunEvent['status']; startedAt: Date; counts: Record<string, number>; failures: { path: string; error?: ErrorInfo | undefined }[] }): void;
  /** Checks the alert rules once; a failure is logged, never thrown. */
  checkAlerts(): Promise<void>;
  /** Checks them every alerts.intervalSeconds until close(). */
  watchAlerts(): void;
  /** Stops the checks, waits for the hooks (hooks.drainTimeoutMs at most), sends the last spans. */
  close(): Promise<void>;
}

export async function openAutomation(context: AppContext, catalog: OpenCatalog, options: { command: 'ingest' | 'watch' | 'worker'; hooks: boolean; onAlert: (transition: AlertTransition) => void }): Promise<Automation> {
  const { config, filepath } = context.config;
  const { logger, runId } = context;
  const tracer = await tracerFor(context);
  const db = catalog.database.db;
  const [{ recordHookDelivery, documentFacts, pruneHookDeliveries }] = await Promise.all([import('../db/hook-deliveries.js')]);
  if (config.stats.keepDays > 0) await pruneHookDeliveries(db, new Date(Date.now() - config.stats.keepDays * 86_400_000).toISOString()).catch(() => 0);
  const { version } = require('../../package.json') as { version: string };
  const dispatcher = options.hooks
    ? new HookDispatcher({
        targets: resolveHookTargets(config.hooks, { baseDir: filepath ? path.dirname(filepath) : process.cwd(), secret: context.secret }),
        settings: config.hooks,
        tracer,
        logger,
        userAgent: `doccat/${version}`,
        record: (delivery) =>
          recordHookDelivery(db, {
            at: delivery.at,
            run_id: runId,
            hook: delivery.hook,
            kind: delivery.kind,
            event: delivery.event,
            document_id: delivery.documentId,
            correlation_id: delivery.correlationId,
            status: delivery.status,
            attempts: delivery.attempts,
            duration_ms: delivery.durationMs,
            error_code: delivery.error?.code ?? null,
            error_message: delivery.error?.message ?? null,
            payload: delivery.payload,
          }),
      })
    : undefined;
  const runSpan = options.command === 'ingest' && tracer.enabled ? tracer.start('doccat.run', { attributes: { 'doccat.run_id': runId, 'doccat.command': options.command } }) : undefined;
  // How a transition is announced is the command's to say (a line on stderr, an ndjson event).
  const announce = options.onAlert;
  const monitor = await alertMonitor(context, catalog, (transition) => {
    announce(transition);
    dispatcher?.emit('onAlert', transition.event, () => alertEvent(transition, runId, options.command), { traceParent: runSpan?.traceParent });
  });
  let stopChecks: (() => void) | undefined;

  return {
    tracer,
    runSpan,
    document(outcome) {
      const name = outcome.status === 'catalogued' ? 'document.catalogued' : outcome.status === 'duplicate' ? 'document.duplicate' : outcome.status === 'failed' ? 'document.failed' : undefined;
      if (!dispatcher || !name) return;
      const correlationId = outcome.correlationId ?? null;
      const documentId = outcome.documentId ?? null;
      dispatcher.emit(
        'onDocument',
        name,
        async (): Promise<DocumentEvent> => ({
          ...eventBase(name, runId, options.command),
          correlationId,
          path: outcome.path,
          documentId,
          document: documentId === null ? null : ((await documentFacts(db, documentId)) ?? null),
          error: outcome.error ?? null,
        }),
        { documentId, correlationId, traceParent: correlationId ? tracer.contextOf(correlationId) : undefined },
      );
    },
    runFinished(run) {
      runSpan?.set(Object.fromEntries(Object.entries(run.counts).map(([key, value]) => [`doccat.files.${key}`, value])));
      dispatcher?.emit(
        'onRun',
        'run.finished',
        (): RunEvent => ({
          ...eventBase('run.finished', runId, options.command),
          status: run.status,
          startedAt: run.startedAt.toISOString(),
          durationMs: Date.now() - run.startedAt.getTime(),
          counts: run.counts,
          failures: run.failures.slice(0, MAX_FAILURES_LISTED).map((failure) => ({ path: failure.path, code: failure.error?.code ?? 'E_UNKNOWN', message: failure.error?.message ?? '' })),
        }),
        { traceParent: runSpan?.traceParent },
      );
    },
    async checkAlerts() {
      if (monitor.empty) return;
      await monitor.evaluate().catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'could not check the alert rules'));
    },
    watchAlerts() {
      if (!monitor.empty) stopChecks ??= monitor.every(config.alerts.intervalSeconds * 1000);
    },
    async close() {
      stopChecks?.();
      runSpan?.end();
      await dispatcher?.close();
      await tracer.shutdown();
    },
  };
}

/** The configured alert rules over this catalogue (also for `stats --check`, which only reads). */
export async function alertMonitor(context: AppContext, catalog: OpenCatalog, onTransition: (transition: AlertTransition) => void = () => undefined): Promise<AlertMonitor> {
  return new AlertMonitor(context.config.config.alerts.rules, await alertSources(catalog.database.db, context.config.config), onTransition, context.logger);
}

/** What the rules are measured on and where their states are kept: the catalogue. */
export async function alertSources(db: Kysely<Database>, config: DoccatConfig): Promise<AlertSources> {
  const [{ measure }, { alertStates, transitionAlert, noteAlertValue }] = await Promise.all([import('../db/alert-metrics.js'), import('../db/alert-states.js')]);
  const budgets = Object.fromEntries(config.ai.providers.filter((provider) => provider.dailyTokenBudget !== undefined).map((provider) => [provider.name, provider.dailyTokenBudget as number]));
  const breakerFailures = Object.fromEntries(config.ai.providers.map((provider) => [provider.name, provider.breaker.failures]));
  return {
    measure: (rule: AlertRule, now: Date) => measure(db, { metric: rule.metric, since: durationAgo(rule.window, now) as string, provider: rule.provider, stage: rule.stage }, { now, budgets, breakerFailures }),
    states: async () => new Map([...(await alertStates(db))].map(([name, row]) => [name, { state: row.state, since: row.since, firedAt: row.fired_at, resolvedAt: row.resolved_at }])),
    transition: (change) => transitionAlert(db, change),
    note: (name, value, at) => noteAlertValue(db, name, value, at),
  };
}

function alertEvent(transition: AlertTransition, runId: string, command: string): AlertEvent {
  const { rule } = transition;
  return {
    ...eventBase(transition.event, runId, command, new Date(transition.at)),
    rule: { name: rule.name, metric: rule.metric, ...(rule.above !== undefined ? { above: rule.above } : {}), ...(rule.below !== undefined ? { below: rule.below } : {}), window: rule.window, ...(rule.provider ? { provider: rule.provider } : {}), ...(rule.stage ? { stage: rule.stage } : {}) },
    value: transition.value,
    threshold: transition.threshold,
    message: transition.message,
    firedAt: transition.firedAt,
  };
}
