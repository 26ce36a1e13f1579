import type { PolicyProblem } from '../../errors.ts';
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
import type { ParsedFile } from './structure.ts';
import { type Path, problemAt } from './yaml-positions.ts';

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
    for (const { index, block } of file.policies) {
      const policy = compilePolicy(file, index, block, setup, seenNames, problems);
      if (policy !== null) policies.push(policy);
    }
  }
  return policies;
}

function compilePolicy(
  file: ParsedFile,
  index: number,
  block: PolicyBlock,
  setup: CompileSetup,
  seenNames: SeenNames,
  problems: PolicyProblem[],
): CompiledPolicy | null {
  const { ctx, defaults } = file;
  const base: Path = ['policies', index];
  const local: CompileProblem[] = [];
  const position = problemAt(ctx, base, '');
  const firstSeen = seenNames.get(block.name);
  if (firstSeen !== undefined) {
    local.push({
      path: ['name'],
      message: `duplicate policy name "${block.name}" (first defined at ${firstSeen}); expected unique names`,
    });
  } else seenNames.set(block.name, `${ctx.file}:${position.line}:${position.col}`);

  const present = presentCapabilities(block, setup.registrations, local);
  const registration = present[0];
  const ownBlock =
    registration === undefined
      ? undefined
      : (block[registration.keys[0] as string] as Record<string, unknown> | undefined);
  const zoneName =
    (typeof ownBlock?.timezone === 'string' ? ownBlock.timezone : undefined) ?? defaults.timezone ?? 'UTC';
  if (registration !== undefined && !registration.resources.includes(block.resource)) {
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
    policyName: block.name,
    resource: block.resource,
    zoneName,
    calendar: setup.calendar,
    knownEventId: (id) =>
      setup.knownEventIds === null || setup.knownEventIds === undefined || setup.knownEventIds.has(id),
    problems: local,
  };
  const capability =
    registration?.supported === true && present.length === 1
      ? (registration.compile?.(block, compileCtx) ?? null)
      : null;
  for (const p of local) {
    problems.push(
      problemAt(ctx, [...base, ...p.path], p.message, { atKey: p.atKey ?? false, severity: p.severity ?? 'error' }),
    );
  }
  if (capability === null || local.some((p) => (p.severity ?? 'error') === 'error')) return null;
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

/** The registrations whose keys the policy uses; none or more than one is a problem. */
function presentCapabilities(
  block: PolicyBlock,
  registrations: readonly CapabilityRegistration[],
  local: CompileProblem[],
): CapabilityRegistration[] {
  const present = registrations.filter((r) => r.keys.some((k) => block[k] !== undefined));
  if (present.length === 0) {
    local.push({
      path: [],
      message: `policy "${block.name}" has no capability; expected one of: ${registrations.map((r) => r.keys.join('/')).join(', ')}`,
    });
  } else if (present.length > 1) {
    const second = present[1] as CapabilityRegistration;
    local.push({
      path: [second.keys.find((k) => block[k] !== undefined) ?? ''],
      atKey: true,
      message: `policy "${block.name}" has both ${present.map((r) => r.name).join(' and ')}; expected one capability per policy (split it into two policies)`,
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
