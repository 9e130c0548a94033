export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean | unknown[] | undefined>;
  status: { code?: number; message?: string };
  resource: Record<string, unknown>;
}
export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  requests: { path: string | undefined; headers: Record<string, string | string[] | undefined> }[];
  clear(): void;
  close(): Promise<void>;
}
export function startOtlpReceiver(): Promise<OtlpReceiver>;
