import type { PolicyProblem } from '../../errors.ts';
import type { ScheduleUse } from '../aws-schedule.ts';
import type { CompiledCalendar } from '../calendar.ts';
import type { CapabilityRegistration, CompileContext, CompiledPolicy, CompileProblem } from '../capability.ts';
import type { PolicyBlock } from '../policy.schema.ts';
import {
  type CompiledSelector,
  compileSelector,
  parseOptInTag,
  parseTagCondition,
  type TagCondition,
} from '../targeting.ts';
import type { CalendarLookup } from './calendars.ts';
import { type Path, problemAt } from './positions.ts';
import type { ParsedFile, ParsedPolicy } from './structure.ts';

/**
 * Policy blocks that passed their schema → CompiledPolicy: the checks that need the whole set
 * (unique names, calendars) or the registrations (one capability per policy, its resources), then the
 * capability's own compile. A policy with any error is left out; its problems are all reported.
 */

export const DEFAULT_OPT_IN_TAG = 'autopilot:managed=true';

export interface CompileSetup {
  registrations: readonly CapabilityRegistration[];
  knownEventIds: ReadonlySet<string> | null | undefined;
  calendar: CalendarLookup;
  /** When given, a schedule with no occurrence after it is an error (validate; not at cold start). */
  now?: number | undefined;
}

/** Names seen so far → where they were first defined (`file:line:col`). */
type SeenNames = Map<string, string>;

export function compilePolicies(
  parsed: readonly ParsedFile[],
  setup: CompileSetup,
  problems: PolicyProblem[],
): CompiledPolicy[] {
  const policies: CompiledPolicy[] = [];
  const seenNames: SeenNames = new Map();
  for (const file of parsed) {
    for (const parsed of file.policies) {
      const policy = compilePolicy(file, parsed, setup, seenNames, problems);
      if (policy !== null) policies.push(policy);
    }
  }
  return policies;
}

function compilePolicy(
  file: ParsedFile,
  { index, block, broken, unknownKeys }: ParsedPolicy,
  setup: CompileSetup,
  seenNames: SeenNames,
  problems: PolicyProblem[],
): CompiledPolicy | null {
  const { ctx, defaults } = file;
  const base: Path = ['policies', index];
  const local: CompileProblem[] = [];
  const position = problemAt(ctx, base, '');
  // A policy whose schema failed is still checked on the keys that passed (see partialPolicy).
  const named = !broken.has('name');
  if (named) checkUniqueName(block.name, `${ctx.file}:${position.line}:${position.col}`, seenNames, local);
  // With an unknown key (reported), "no capability" would most likely say the same thing again.
  const present = presentCapabilities(block, broken, setup.registrations, local, !unknownKeys);
  const registration = present[0];
  const ownBlock =
    registration === undefined
      ? undefined
      : (block[registration.keys[0] as string] as Record<string, unknown> | undefined);
  const zoneName =
    (typeof ownBlock?.timezone === 'string' ? ownBlock.timezone : undefined) ?? defaults.timezone ?? 'UTC';
  const resourceKnown = !broken.has('resource');
  if (registration !== undefined && resourceKnown && !registration.resources.includes(block.resource)) {
    local.push({
      path: ['resource'],
      message: `${registration.name} does not apply to resource: ${block.resource}; expected resource: ${registration.resources.join(' or ')}`,
    });
  }
  // Warnings that depend on the document around the block (a window with no timezone anywhere).
  if (registration?.documentWarnings !== undefined && ownBlock !== undefined) {
    const timezone = defaults.timezone;
    local.push(...registration.documentWarnings(ownBlock, timezone === undefined ? {} : { timezone }));
  }
  const freeze = freezeCalendars(block.freeze ?? [], zoneName, setup.calendar, local);
  const compileCtx: CompileContext = {
    policyName: named ? block.name : `policies[${index}]`,
    // An invalid resource is reported already; the capability's block is checked as if it were right.
    resource: resourceKnown ? block.resource : ((registration?.resources[0] ?? 'cluster') as PolicyBlock['resource']),
    zoneName,
    calendar: setup.calendar,
    knownEventId: (id) =>
      setup.knownEventIds === null || setup.knownEventIds === undefined || setup.knownEventIds.has(id),
    problems: local,
  };
  const compilable =
    registration?.supported === true &&
    present.length === 1 &&
    registration.keys.every((k) => !broken.has(k)) &&
    registration.keys.some((k) => block[k] !== undefined);
  const capability = compilable ? (registration.compile?.(block, compileCtx) ?? null) : null;
  for (const use of capability?.schedules ?? []) local.push(...scheduleProblems(use, setup.now));
  for (const p of local) {
    problems.push(
      problemAt(ctx, [...base, ...p.path], p.message, { atKey: p.atKey ?? false, severity: p.severity ?? 'error' }),
    );
  }
  if (capability === null || broken.size > 0 || local.some((p) => (p.severity ?? 'error') === 'error')) return null;
  return {
    name: block.name,
    file: ctx.file,
    line: position.line,
    col: position.col,
    resource: block.resource,
    selector: selectorOf(block),
    optInTag: parseOptInTag(defaults.optInTag ?? DEFAULT_OPT_IN_TAG) ?? { key: 'autopilot:managed', value: 'true' },
    maxResources: maxResourcesOf(block),
    dryRun: block.dryRun ?? defaults.dryRun ?? false,
    zoneName,
    freeze,
    capability,
  };
}

function checkUniqueName(name: string, where: string, seenNames: SeenNames, local: CompileProblem[]): void {
  const firstSeen = seenNames.get(name);
  if (firstSeen !== undefined) {
    local.push({
      path: ['name'],
      message: `duplicate policy name "${name}" (first defined at ${firstSeen}); expected unique names`,
    });
  } else seenNames.set(name, where);
}

const minutesText = (ms: number) =>
  ms % 3_600_000 === 0
    ? `${ms / 3_600_000} hour${ms === 3_600_000 ? '' : 's'}`
    : `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;

/** The checks every schedule gets whatever its capability: it fires again, and not too often. */
function scheduleProblems(use: ScheduleUse, now: number | undefined): CompileProblem[] {
  const { schedule } = use;
  const out: CompileProblem[] = [];
  if (use.minIntervalMs !== undefined && schedule.minGapMs < use.minIntervalMs) {
    out.push({
      path: use.path,
      message: `"${schedule.expression}" fires ${minutesText(schedule.minGapMs)} apart; expected ${use.what} at most once every ${minutesText(use.minIntervalMs)}${use.limitReason === undefined ? '' : ` (${use.limitReason})`}`,
    });
  }
  if (now !== undefined && schedule.nextAfter(now) === null) {
    out.push({
      path: use.path,
      message: `"${schedule.expression}" fires only in the past (no time after ${new Date(now).toISOString().slice(0, 16)}Z); expected a schedule that fires again, e.g. a Year field of * or one still to come`,
    });
  }
  return out;
}

/** The registrations whose keys the policy uses; none or more than one is a problem. */
function presentCapabilities(
  block: PolicyBlock,
  broken: ReadonlySet<string>,
  registrations: readonly CapabilityRegistration[],
  local: CompileProblem[],
  reportNone: boolean,
): CapabilityRegistration[] {
  const has = (k: string) => block[k] !== undefined || broken.has(k);
  const present = registrations.filter((r) => r.keys.some(has));
  if (present.length === 0) {
    if (reportNone)
      local.push({
        path: [],
        message: `policy${broken.has('name') ? '' : ` "${block.name}"`} has no capability; expected one of: ${registrations.map((r) => r.keys.join('/')).join(', ')}`,
      });
  } else if (present.length > 1) {
    const second = present[1] as CapabilityRegistration;
    local.push({
      path: [second.keys.find(has) ?? ''],
      atKey: true,
      message: `policy${broken.has('name') ? '' : ` "${block.name}"`} has both ${present.map((r) => r.name).join(' and ')}; expected one capability per policy (split it into two policies)`,
    });
  }
  return present;
}

/**
 * A window read in UTC only because nobody named a zone is most likely a mistake. The one check here
 * that names a capability's key; kept in this function so it can move behind a registration hook.
 */
function freezeCalendars(
  names: readonly string[],
  zoneName: string,
  calendar: CalendarLookup,
  local: CompileProblem[],
): CompiledCalendar[] {
  const freeze: CompiledCalendar[] = [];
  for (const [i, name] of names.entries()) {
    const compiled = calendar(name, zoneName);
    if (compiled === undefined)
      local.push({
        path: ['freeze', i],
        message: `unknown calendar "${name}"; expected a name defined under calendars`,
      });
    else freeze.push(compiled);
  }
  return freeze;
}

function selectorOf(block: PolicyBlock): CompiledSelector {
  // The schema has already reported invalid conditions; only valid ones reach here.
  const tags: Record<string, TagCondition> = {};
  for (const [key, value] of Object.entries(block.match?.tags ?? {})) {
    const condition = parseTagCondition(value);
    if (!('error' in condition)) tags[key] = condition;
  }
  return compileSelector({
    tags,
    identifiers: block.match?.identifiers ?? null,
    accounts: block.match?.accounts ?? null,
    regions: block.match?.regions ?? null,
  });
}

function maxResourcesOf(block: PolicyBlock): CompiledPolicy['maxResources'] {
  if (block.maxResources === undefined) return null;
  if (typeof block.maxResources === 'number') return { count: block.maxResources };
  return { percent: Number(block.maxResources.slice(0, -1)) };
}
