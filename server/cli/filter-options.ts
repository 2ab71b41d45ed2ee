/**
 * The CLI's filter flags, derived from the filters of every list (shared/filters.ts, ADR 0029):
 * one flag per parameter (`minStars` → `--min-stars <n>`, an enum with its choices, a boolean as
 * `--has-correction` / `--no-has-correction`), and the window flags `--days` / `--all` where the
 * command has a window. Flags that do not go together (`--since` with `--days`, `--all` with any
 * window flag, `--min-stars` above `--max-stars`) are refused, never resolved silently.
 */
import { Option, type Command } from 'commander';
import { z } from 'zod';
import {
  FILTER_DEFS,
  FILTER_PARAMS,
  FILTER_SHAPE,
  WINDOW_SHAPE,
  conflicts,
  filterDescription,
  flagName,
  pickFilters,
  type FilterParam,
  type WindowedFilters,
} from '../../shared/filters.ts';
import { describeZodError } from '../../shared/schemas.ts';

export interface FilterFlagOptions {
  /** Parameters this command does not take (e.g. stats' window is --days, not since/until). */
  except?: readonly FilterParam[];
  /** Adds --days (described by `days`) and, unless `all` is false, --all. */
  window?: { days: string; all?: boolean };
}

/** Adds a flag per filter (and the window flags) to `cmd`. */
export function addFilterOptions(cmd: Command, options: FilterFlagOptions = {}): Command {
  for (const param of FILTER_PARAMS) {
    if (options.except?.includes(param)) continue;
    const def = FILTER_DEFS.get(param)!;
    const flag = flagName(param);
    const help = filterDescription(param).replace(/^Only records/, 'only records').replace(/^Records/, 'records');
    if (def.type === 'boolean') {
      const what = help.replace(/ is true \(true\) or false \(false\)$/, '');
      cmd.addOption(new Option(flag, `${what} is true`));
      cmd.addOption(new Option(`--no-${flag.slice(2)}`, `${what} is false`));
    } else if (def.type === 'enum') {
      cmd.addOption(new Option(`${flag} <value>`, help).choices([...(def.values ?? [])]));
    } else {
      cmd.addOption(new Option(`${flag} <${def.type === 'int' ? 'n' : def.type === 'datetime' ? 'date' : 'value'}>`, help));
    }
  }
  if (options.window) {
    cmd.option('--days <n>', options.window.days);
    if (options.window.all !== false) cmd.option('--all', 'every record, whenever it was created');
  }
  return cmd;
}

/** A flag's name for a parameter in a message: `minStars` → `--min-stars`. */
const flags = (params: string[]) => params.map(flagName);

/**
 * The parsed filters of a command's options: conflicting flags and bad values are an Error naming
 * the flags (the CLI prints it on one line and exits 1).
 */
export function filtersFromOptions(opts: Record<string, unknown>, options: FilterFlagOptions = {}): WindowedFilters {
  const given: Record<string, unknown> = { ...pickFilters(opts) };
  if (options.window) Object.assign(given, { days: opts.days, all: opts.all });
  const parsed = z.object({ ...FILTER_SHAPE, ...WINDOW_SHAPE }).safeParse(given);
  if (!parsed.success) throw new Error(`invalid option: ${describeZodError(parsed.error)}`);
  const found = conflicts(parsed.data);
  if (found.length) {
    const named = (text: string) => text.replace(/\b(since|until|days|all|minStars|maxStars)\b/g, (p) => flagName(p));
    throw new Error(found.map((c) => `conflicting options ${c.params.map(flagName).join(' and ')}: ${named(c.message)}`).join('; '));
  }
  return parsed.data;
}
