/** JSON output that keeps NaN and infinities visible ("NaN", "Infinity") instead of null. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1);
}
