/**
 * The process-wide interrupt signal: main.ts aborts it on SIGINT/SIGTERM and long-running
 * commands watch it. Kept apart from context.ts so that main.ts loads no configuration code.
 */
const controller = new AbortController();

export function interruptSignal(): AbortSignal {
  return controller.signal;
}

export function interrupt(): void {
  controller.abort();
}
