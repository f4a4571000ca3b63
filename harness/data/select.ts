/** Selection of cases and implementations by name lists and globs, with errors that list valid names. */

/** Error for bad command-line usage; the CLI exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Glob (`*` any run, `?` one character) to an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Splits `a,b, c` into trimmed non-empty parts. */
export function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** An option's list, or undefined when the option was not given (an empty value stays an empty list). */
export function optionalList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : splitList(value);
}

/**
 * Ids matching any of `globs` (all when undefined), less those matching an
 * exclusion (`!glob`); only exclusions start from every id. An empty list, a
 * glob or exclusion matching nothing, or a filter that leaves nothing is a
 * UsageError listing the ids.
 */
export function selectByGlobs(ids: readonly string[], globs: readonly string[] | undefined, what: string): string[] {
  if (!globs) return [...ids];
  if (globs.length === 0) throw new UsageError(`the ${what} filter is empty; give one or more globs over: ${ids.join(', ')}`);
  const include = globs.filter((g) => !g.startsWith('!'));
  const exclude = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1).trim());
  if (exclude.some((g) => !g)) throw new UsageError(`a ${what} exclusion is "!" followed by a glob, e.g. '!ablation-*'`);
  for (const [g, shown] of [...include.map((g) => [g, g]), ...exclude.map((g) => [g, `!${g}`])] as [string, string][]) {
    if (!ids.some((id) => globToRegExp(g).test(id))) {
      throw new UsageError(`no ${what} matches "${shown}"; valid ${what}s: ${ids.join(', ')}`);
    }
  }
  const matches = (patterns: string[]) => { const res = patterns.map(globToRegExp); return (id: string) => res.some((re) => re.test(id)); };
  const included = include.length ? matches(include) : () => true;
  const excluded = matches(exclude);
  const chosen = ids.filter((id) => included(id) && !excluded(id));
  if (!chosen.length) throw new UsageError(`the ${what} filter "${globs.join(',')}" leaves no ${what}: every match is excluded`);
  return chosen;
}

/** Exact names (all when undefined), each of which must be known; an empty list or an unknown one is a UsageError listing the valid names. */
export function selectByNames(known: readonly string[], names: readonly string[] | undefined, what: string): string[] {
  if (!names) return [...known];
  if (names.length === 0) throw new UsageError(`the ${what} list is empty; give one or more of: ${known.join(', ')}`);
  for (const n of names) {
    if (!known.includes(n)) throw new UsageError(`unknown ${what} "${n}"; valid ${what}s: ${known.join(', ')}`);
  }
  return known.filter((k) => names.includes(k));
}

/** A positive integer option, or a UsageError naming the option and the value. */
export function positiveInt(option: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new UsageError(`--${option} must be a positive integer, got "${value}"`);
  }
  return Number(value);
}
