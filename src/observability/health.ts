import { toErrorInfo } from '../errors.js';

/**
 * Health checks as `doccat health` runs them: each is timed, and anything it throws becomes a
 * failed check with the error's code and hint, so one broken part never hides the others.
 */

export type HealthStatus = 'ok' | 'warn' | 'fail';

export interface HealthCheck {
  check: string;
  status: HealthStatus;
  latencyMs: number;
  detail: string;
  code?: string;
  hint?: string;
}

export interface CheckResult {
  status?: HealthStatus;
  detail: string;
  hint?: string;
}

export async function runCheck(check: string, probe: () => Promise<CheckResult>): Promise<HealthCheck> {
  const started = performance.now();
  try {
    const result = await probe();
    return { check, status: result.status ?? 'ok', latencyMs: Math.round(performance.now() - started), detail: result.detail, ...(result.hint ? { hint: result.hint } : {}) };
  } catch (error) {
    const info = toErrorInfo(error);
    return { check, status: 'fail', latencyMs: Math.round(performance.now() - started), detail: info.message, code: info.code, ...(info.hint ? { hint: info.hint } : {}) };
  }
}

/** A 360x80 grayscale PNG reading "HEALTH 42" (DejaVu Sans), for an OCR round trip. */
export const OCR_PROBE_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAWgAAABQCAAAAAAR0LB9AAAABGdBTUEAALGPC/xhBQAAAAJiS0dEAP+Hj8y/AAAAB3RJTUUH6gsZEh42JZNmGAAABRNJREFUeNrtmntsFEUcgL8eV1rwWrRWQ9XQ+sCEiEGDBrFRqWCwCK1YBZFrNBGbEMRHEIEYjakYTSU+iGmBgOauiLYgQn2QJiYIIsSQiBHk4QOsRChgKPYBtNYb/6A9bq+3296587tG5vtrZnZ25jdfdmdv5iZFYZDAk+wALhSMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCGMaCG8yQ5AG537dx87PeTyW65OdiBdqNicAHKtRaOBfeevRlFtqTse8Pxu2+Ihu2jm9dazDVtSAFrC+aaV9/u6msyraFb9AD1Tx+HNQGi12NPSXmY9cDU7Z9aG1q70b8/fuE0sEHv0iK4OAQTERrH4gDW/6SwA3iwvQMM9m8UisSXxOTrrVUt2TGQmCMCBb8fY3HtpVTi55FdYNKw7d1NCofxYgTetzVp2yfTx+UNT/tm17D3F2ZKfsl03Fy8Jz9G59vPRDqAQmN1Li0oplQ/s7HvPsQjdDgtyiZijc68PnulOfz4QeEp0Po6FlqkjAFSMhJoOkWelajt5L1lKlu4tTe9OT3odqE36oVkdottrYNRIP5z8VGIIRxbBu4MtRUUDIjJzfND4s0QkTugQXdcEfmZ6hD6Hc5opuc/h+sDRQKNEJE7oEB0AzyNcdSdsOq5/BOs3kPGOY42LgJD+QJzRIPpYPRRcAaXQuUb7AJrnwitXOlZpAHK0B9ILGkR/0Al+4MH07t95OllwhJufdKxxaC9cNlx7IL2gQXQABpUAmUWwa7fm+L9Zjmf5AMcqlQqKk7555rRgaVlmyZ5wuppT3J36/geYkgHgr4XAkkSicu45go4yxexbHdvasxS881wXFzc2v69txma7qZQfvvMZoE4ppVRHNgztTGTBYt9zFC9DzqlzaxQiN5XO0zYSeDbZyxUNC5bONZB9LwCp06GxXudTsv81eHuIUw316B4YsVhnEH3DddFfHIdpqefSfvR+DlVZOxOnOVZZuA4y1w7uY4MacRId9aKPdroa3okMcE4wwG3DYeOpBKJy7jnMiq8ZVOnY0JsVkF53g7DUWLj9RJ/8DK4d252bCWdrtcV+dCG8cI1TjVXPgbf2Lm0RxIHboj/sgJnhnB+dy/C5pxgx36nCR2UKT3CKtgDiwe3/DANAeXlkyfZfrtMTetvHUBB+X9qAmjSYlBWusLE0BFUz9PQeLy6L3rezZ1mwPP52+oICKi1T9CxgZ1h0/bROqCjT03ncuDx1xJongsnZC/5qage8OP+/N+QO7j7RodUwoCo1ouT9rTRsGZeEge2Ycgae1vQyJYC7or/8AwqeiCzxbYXAOC2h+yxvSl4DtPjC2e8KW+Hxt7R0nBDuTh0BwPrxmZwB606LD2vvxL/g4RUp4h3b4qro5k8g7QFLUfpUaF0vPaqDE/6Eouqkb9lFkPjUEbXDNmwSrD0DhRdbq80IQsAf+57H0tFC+4SjkHn3yoiisaP0dNV3bDab4j4SNlEpdQdQE9XQ39ngORz7nhPKleMGSinr7l1Tz67eEN2qi4Gbb9fBbeCbHFXofQhC1Ul5hvoVbooOKijusVE2A8nDYf2WlKSfLLlA6E8f5v81RrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQRrQQ/wJKF25ULzcIiwAAACV0RVh0ZGF0ZTpjcmVhdGUAMjAyNi0xMS0yNVQxODozMDo1NCswMDowMIDMtNAAAAAldEVYdGRhdGU6bW9kaWZ5ADIwMjYtMTEtMjVUMTg6MzA6NTQrMDA6MDDxkQxsAAAAAElFTkSuQmCC', 'base64');
export const OCR_PROBE_TEXT = 'HEALTH 42';
