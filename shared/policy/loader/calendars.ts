import type { PolicyProblem } from '../../errors.ts';
import { type CalendarDefinition, type CompiledCalendar, compileCalendar } from '../calendar.ts';
import { problemAt } from './positions.ts';
import type { ParsedFile } from './structure.ts';

/** Calendars by name, compiled in a zone on first use; undefined for a name no file defines. */
export type CalendarLookup = (name: string, zoneName: string) => CompiledCalendar | undefined;

/**
 * Calendars are shared by every file of the set; a name may be defined once (the first definition,
 * in file order, wins; later ones are problems). Compiled per (calendar, zone) because dates are read
 * in the zone of the policy that names them.
 */
export function collectCalendars(parsed: readonly ParsedFile[], problems: PolicyProblem[]): CalendarLookup {
  const calendarDefs = new Map<string, CalendarDefinition>();
  for (const file of parsed) {
    for (const { name, block, broken } of file.calendars) {
      if (calendarDefs.has(name)) {
        problems.push(
          problemAt(
            file.ctx,
            ['calendars', name],
            `duplicate calendar "${name}"; expected each calendar name once across all policy files`,
            { atKey: true },
          ),
        );
        continue;
      }
      // A broken calendar is known by name (its users get no "unknown calendar") and compiles empty:
      // its problems are reported, so this set of policies is never run.
      if (broken) {
        calendarDefs.set(name, { name, dates: [], ranges: [], timezone: null });
        continue;
      }
      calendarDefs.set(name, {
        name,
        dates: block.dates ?? [],
        ranges: block.ranges ?? [],
        timezone: block.timezone ?? null,
      });
    }
  }
  const compiledCalendars = new Map<string, CompiledCalendar>();
  return (name, zoneName) => {
    const def = calendarDefs.get(name);
    if (def === undefined) return undefined;
    const key = `${name}\u0000${zoneName}`;
    let compiled = compiledCalendars.get(key);
    if (compiled === undefined) {
      compiled = compileCalendar(def, zoneName);
      compiledCalendars.set(key, compiled);
    }
    return compiled;
  };
}
