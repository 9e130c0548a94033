/** Objects merge key by key; arrays and values replace; null removes a setting of the base. */
export function mergeOverlay(base: unknown, overlay: unknown): unknown {
  if (!isRecord(overlay)) return overlay;
  const result: Record<string, unknown> = isRecord(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) delete result[key];
    else result[key] = isRecord(value) && isRecord(result[key]) ? mergeOverlay(result[key], value) : value;
  }
  return result;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
