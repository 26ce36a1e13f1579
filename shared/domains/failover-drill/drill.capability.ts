import { compileSchedule } from '../../policy/aws-schedule.ts';
import type { CompiledCalendar } from '../../policy/calendar.ts';
import type { CompileContext, CompiledCapability } from '../../policy/capability.ts';
import { oneOf } from '../../policy/param-check.ts';
import { parseDuration } from '../../policy/policy.schema.ts';
import { type DrillSettings, FAILOVER_ACTION } from './drill.prechecks.ts';
import { reconcileDrill } from './drill.reconcile.ts';
import { DEFAULT_CANARY_SQL, type FailoverDrillBlock } from './drill.schema.ts';
import { drillOutlook } from './drill-outlook.ts';
import { drillClashes } from './drill-validate.ts';

/**
 * `failoverDrill` compiled: the slot schedule in the policy's zone, the calendars it avoids, the
 * recovery bound and the canary; reconciled on every sweep (drill.reconcile.ts); the executor's check
 * that a decision's parameters are this policy's (permitsParam).
 */
export interface CompiledDrill extends CompiledCapability {
  key: 'failoverDrill';
  settings: DrillSettings;
}

export const DEFAULT_MAX_RECOVERY_MINUTES = 30;
export const DEFAULT_START_WITHIN = '4h';
/** Drills closer together than this are not drills but load: a day at least. */
const MIN_GAP_MS = 86_400_000;

export function isCompiledDrill(capability: CompiledCapability): capability is CompiledDrill {
  return capability.key === 'failoverDrill' && 'settings' in capability;
}

function calendars(block: FailoverDrillBlock, zoneName: string, ctx: CompileContext): CompiledCalendar[] {
  const out: CompiledCalendar[] = [];
  for (const [i, name] of (block.notDuring ?? []).entries()) {
    const calendar = ctx.calendar(name, zoneName);
    if (calendar === undefined) {
      ctx.problems.push({
        path: ['failoverDrill', 'notDuring', i],
        message: `unknown calendar "${name}"; expected a name defined under calendars`,
      });
    } else out.push(calendar);
  }
  return out;
}

export function compileDrill(raw: Record<string, unknown>, ctx: CompileContext): CompiledDrill | null {
  const block = raw.failoverDrill as FailoverDrillBlock;
  // The loader refuses other resources by the registration's `resources`.
  if (ctx.resource !== 'cluster') return null;
  const zoneName = block.timezone ?? ctx.zoneName;
  const schedule = compileSchedule(block.schedule, zoneName);
  if (!schedule.ok) ctx.problems.push({ path: ['failoverDrill', 'schedule'], message: schedule.message });
  const notDuring = calendars(block, zoneName, ctx);
  const maxRecoveryMinutes = block.maxRecoveryMinutes ?? DEFAULT_MAX_RECOVERY_MINUTES;
  const startWithinMs = parseDuration(block.startWithin ?? DEFAULT_START_WITHIN) ?? 0;
  if (startWithinMs < maxRecoveryMinutes * 60_000) {
    ctx.problems.push({
      path: ['failoverDrill', 'startWithin'],
      severity: 'warning',
      message: `startWithin ${block.startWithin} is shorter than maxRecoveryMinutes ${maxRecoveryMinutes}: a second cluster of the policy can never start after the first one's drill; expected at least ${maxRecoveryMinutes}m`,
    });
  }
  if (!schedule.ok || ctx.problems.some((p) => p.severity !== 'warning')) return null;
  const settings: DrillSettings = {
    schedule: schedule.schedule,
    scheduleText: block.schedule,
    zoneName,
    maxRecoveryMinutes,
    notDuring,
    canary:
      block.canary === undefined
        ? null
        : {
            database: block.canary.database,
            secretArn: block.canary.secretArn,
            sql: block.canary.sql ?? DEFAULT_CANARY_SQL,
          },
    startWithinMs,
  };
  return drillCapability(settings);
}

export function drillCapability(settings: DrillSettings): CompiledDrill {
  const avoid = settings.notDuring.map((c) => c.name);
  return {
    key: 'failoverDrill',
    settings,
    summary: `failover drill ${settings.scheduleText} ${settings.zoneName}; recovery within ${settings.maxRecoveryMinutes} min${settings.canary === null ? '' : `; canary on ${settings.canary.database}`}${avoid.length === 0 ? '' : `; not during ${avoid.join(', ')}`}; one at a time`,
    schedules: [
      {
        path: ['failoverDrill', 'schedule'],
        schedule: settings.schedule,
        what: 'failover drills',
        minIntervalMs: MIN_GAP_MS,
        limitReason: 'a drill is an outage rehearsal, not a load test',
      },
    ],
    // The executor's check (issue 22): the drill only names its cluster and the AZ it read.
    permitsParam: (action, key, value) => {
      if (action !== FAILOVER_ACTION) return `${action} is not an action of a failover drill policy`;
      if (key === 'AvailabilityZone' || key === 'SecondaryAvailabilityZone')
        return typeof value === 'string' || value === null ? null : oneOf(key, value, []);
      return `${key} is not a parameter the failover drill sets`;
    },
    clashes: (self, policies, fleet, from) => drillClashes(self, settings, policies, fleet, from),
    outlook: (self, fleet, from) => drillOutlook(self, settings, fleet, from),
    reconcile: (resource, _override, env) =>
      resource.type === 'cluster' ? reconcileDrill(settings, resource, env) : [],
  };
}
