/**
 * CSV text per RFC 4180, safe to open in a spreadsheet: fields are quoted when
 * needed, and a text field starting with = + - @ (or tab / CR) is prefixed with
 * a single quote so it is never run as a formula. Numbers are written as is.
 */

/** One field, quoted and guarded as needed. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** A header row and data rows as CSV text, with a final newline. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}
