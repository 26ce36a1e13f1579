import type { ScheduleUse } from '../../policy/aws-schedule.ts';
import { compileSchedule } from '../../policy/aws-schedule.ts';
import type { CompileContext, CompiledCapability } from '../../policy/capability.ts';
import { oneOf } from '../../policy/param-check.ts';
import { parseDuration } from '../../policy/policy.schema.ts';
import { compileRunningWindow } from '../../policy/running-window.ts';
import { parseWindowSpec, type WindowRange } from '../../policy/window-spec.ts';
import { type ResizeSettings, reactGrow, reconcileResize } from './resize.reconcile.ts';
import { NODE_TYPE_LIMITS } from './resize.rules.ts';
import type { ResizeBlock, ResizeWindowBlock } from './resize.schema.ts';
import { type GrowSettings, grownNodes, maxLevels } from './resize-grow.ts';
import { boundariesBetween, type SizeWindow } from './resize-schedule.ts';
import { snapshotParamRefusal } from './resize-snapshot.ts';

/**
 * `resize` compiled: the size wanted over time (default, windows), reconciled on every sweep; the
 * executor's check that a decision's size is one this policy sets (permitsParam); the boundaries at
 * which it resizes, for validate's check against other policies' paused time (needsRunning).
 */
export interface CompiledResize extends CompiledCapability {
  settings: ResizeSettings;
}

const SNAPSHOT_ACTION = 'CreateClusterSnapshot';

/** The largest factor any node type grows by elastically from its baseline (ra3.4xlarge/16xlarge, guide L3449–3466). */
const MAX_GROW = Math.max(...Object.values(NODE_TYPE_LIMITS).map((l) => l.grow));

function compileWindow(w: ResizeWindowBlock, i: number, zoneName: string, ctx: CompileContext): SizeWindow | null {
  const at = (key: string) => ['resize', 'windows', i, key];
  if (w.running !== undefined) {
    const ranges = w.running.map((t) => parseWindowSpec(t)).flatMap((r) => (r.ok ? [r.range as WindowRange] : []));
    if (ranges.length !== w.running.length) return null;
    const window = compileRunningWindow({ ranges, zoneName, closedOn: [] });
    return { kind: 'running', index: i, nodes: w.nodes, window, text: window.description };
  }
  const from = compileSchedule(w.from ?? '', zoneName);
  const to = compileSchedule(w.to ?? '', zoneName);
  if (!from.ok) ctx.problems.push({ path: at('from'), message: from.message });
  if (!to.ok) ctx.problems.push({ path: at('to'), message: to.message });
  if (!from.ok || !to.ok) return null;
  if (w.from === w.to) {
    ctx.problems.push({
      path: at('to'),
      message: `to is the same schedule as from (${w.from}): the window would never open; expected the time it ends`,
    });
    return null;
  }
  return { kind: 'cron', index: i, nodes: w.nodes, from: from.schedule, to: to.schedule, text: `${w.from} → ${w.to}` };
}

function checkSizes(block: ResizeBlock, ctx: CompileContext): void {
  const sizes = [block.default.nodes, ...(block.windows ?? []).map((w) => w.nodes)];
  if (block.grow !== undefined) sizes.push(block.grow.max);
  for (const [i, w] of (block.windows ?? []).entries()) {
    if (w.nodes === block.default.nodes) {
      ctx.problems.push({
        path: ['resize', 'windows', i, 'nodes'],
        severity: 'warning',
        message: `window sets ${w.nodes} nodes, the default size: it changes nothing; expected a size other than default.nodes`,
      });
    }
  }
  const lo = Math.min(...sizes);
  const hi = Math.max(...sizes);
  if (block.allowClassic !== true && hi > lo * MAX_GROW) {
    ctx.problems.push({
      path: ['resize'],
      atKey: true,
      severity: 'warning',
      message: `sizes range from ${lo} to ${hi} nodes: no node type resizes elastically beyond ${MAX_GROW}x its baseline (guide L3449–3466), so some resizes will be refused; expected sizes within ${MAX_GROW}x of each other, or allowClassic: true`,
    });
  }
}

/** `grow` checked: its max holds the default, its cooldown is a duration; null without `grow`. */
function compileGrow(block: ResizeBlock, ctx: CompileContext): GrowSettings | null {
  const grow = block.grow;
  if (grow === undefined) return null;
  if (grow.max < block.default.nodes) {
    ctx.problems.push({
      path: ['resize', 'grow', 'max'],
      message: `grow.max ${grow.max} is below default.nodes ${block.default.nodes}; expected a maximum of at least ${block.default.nodes}`,
    });
  }
  const cooldownMs = parseDuration(grow.cooldown) ?? 0;
  return { onAlarm: grow.onAlarm, step: grow.step, max: grow.max, cooldownMs };
}

function scheduleUses(windows: readonly SizeWindow[]): ScheduleUse[] {
  return windows.flatMap((w) =>
    w.kind === 'cron'
      ? [
          { path: ['resize', 'windows', w.index, 'from'], schedule: w.from, what: 'resize window starts' },
          { path: ['resize', 'windows', w.index, 'to'], schedule: w.to, what: 'resize window ends' },
        ]
      : [],
  );
}

export function compileResize(raw: Record<string, unknown>, ctx: CompileContext): CompiledResize | null {
  const block = raw.resize as ResizeBlock;
  // The loader refuses other resources by the registration's `resources`.
  if (ctx.resource !== 'cluster') return null;
  const zoneName = block.timezone ?? ctx.zoneName;
  const windows = (block.windows ?? []).map((w, i) => compileWindow(w, i, zoneName, ctx));
  checkSizes(block, ctx);
  const grow = compileGrow(block, ctx);
  if (windows.some((w) => w === null) || ctx.problems.some((p) => p.severity !== 'warning')) return null;
  const settings: ResizeSettings = {
    defaultNodes: block.default.nodes,
    windows: windows as SizeWindow[],
    allowClassic: block.allowClassic === true,
    snapshotBefore: block.snapshotBefore === true,
    grow,
    zoneName,
  };
  return resizeCapability(settings, ctx.policyName);
}

function resizeCapability(settings: ResizeSettings, policy: string): CompiledResize {
  const scheduled = [settings.defaultNodes, ...settings.windows.map((w) => w.nodes)];
  const grow = settings.grow;
  // Every size the policy may ask: the scheduled ones, and each grown by its levels.
  const sizes = scheduled.flatMap((n) =>
    grow === null ? [n] : [n, ...Array.from({ length: maxLevels(grow, n) }, (_, k) => grownNodes(grow, n, k + 1))],
  );
  const windowText = settings.windows.map((w) => `${w.nodes} in ${w.text}`).join('; ');
  return {
    key: 'resize',
    settings,
    summary: `resize to ${settings.defaultNodes} nodes${windowText === '' ? '' : `, ${windowText}`} (${settings.zoneName})${settings.allowClassic ? '; classic allowed' : ''}${settings.snapshotBefore ? '; a snapshot before each resize' : ''}${grow === null ? '' : `; grows by ${grow.step} up to ${grow.max} on alarm ${grow.onAlarm}, at most every ${grow.cooldownMs / 60_000} min, until the next boundary`}`,
    schedules: scheduleUses(settings.windows),
    // A paused cluster cannot be resized (guide L3640): validate warns when another policy keeps it paused at a boundary.
    needsRunning: {
      what: 'resize (guide L3640)',
      nextAfter: (t) => boundariesBetween(settings.windows, t, t + 62 * 86_400_000)[0] ?? null,
    },
    // The executor's check (issue 22): a size this policy sets, classic only when it allows it, no node type change.
    permitsParam: (action, key, value, { params }) => {
      if (action === SNAPSHOT_ACTION) return snapshotParamRefusal(policy, settings.snapshotBefore, key, value, params);
      if (key === 'NumberOfNodes') return oneOf(key, value, [...new Set(sizes)]);
      if (key === 'Classic') return oneOf(key, value, settings.allowClassic ? [true, false] : [false]);
      if (key === 'NodeType') return `NodeType ${JSON.stringify(value)}: this policy changes no node type`;
      return `${key} is not a parameter the resize policy sets`;
    },
    reconcile: (resource, _override, env) =>
      resource.type === 'cluster' ? reconcileResize(settings, resource, env) : [],
    react: (event, env) => reactGrow(settings, event, env),
  };
}
