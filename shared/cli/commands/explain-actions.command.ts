import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ActionSpec, PermissionSpec } from '../../execute/action-spec.ts';
import type { CapabilityRegistration } from '../../policy/capability.ts';
import { registry } from '../../policy/registry.ts';
import { type CliCommand, UsageError } from '../io.ts';

/**
 * `autopilot explain-actions`: every action the capabilities may request, read from the registry —
 * the states it needs, what completes it, the guardrails it passes (with their rules) and the IAM it is
 * granted, so an operator can review what the executor may do without reading code.
 */
function condition(p: PermissionSpec): string {
  switch (p.condition.kind) {
    case 'optInTag':
      return "resource carries a packaged policy's opt-in tag";
    case 'requestTag':
      return `request tags ${Object.entries(p.condition.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}; tag keys only ${p.condition.tagKeys.join(', ')}`;
    case 'resourceTag':
      return `resource tagged ${Object.entries(p.condition.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`;
    case 'none':
      return `no condition: ${p.condition.why}`;
  }
}

function states(spec: ActionSpec): string {
  if (spec.anyState === true) return 'any state';
  const availability = spec.allowedAvailability?.filter((a) => a !== null) ?? [];
  return `${spec.allowedStatuses.join(' or ')}${availability.length > 0 ? ` (availability ${availability.join(' or ')})` : ''}`;
}

function describe(spec: ActionSpec, owners: readonly string[]): string[] {
  const rules = new Map(registry.guardrails().map((g) => [g.name, g.rule]));
  const lines = [
    `${spec.name}  (${spec.service}, ${spec.resourceType}; requested by ${owners.join(', ')})`,
    `  ${spec.summary}`,
    `  needs:      ${states(spec)}`,
    `  done when:  ${spec.finalState ?? 'the call returns'}${spec.failedStates.length > 0 ? `; failed in ${spec.failedStates.join(', ')}` : ''}`,
  ];
  if (spec.stateKey !== null) lines.push(`  supersedes: other decisions setting ${spec.stateKey}, newest wins`);
  if (spec.tracking !== undefined) {
    const deadline =
      spec.tracking.deadlineMs === undefined ? '' : `; alert after ${spec.tracking.deadlineMs / 60_000} min`;
    lines.push(`  tracked:    closed by ${spec.tracking.closedBy.join(', ')}${deadline}`);
  }
  lines.push('  guardrails:');
  for (const g of spec.guardrails) lines.push(`    ${g}: ${rules.get(g) ?? '(not in the table)'}`);
  lines.push('  permissions:');
  for (const p of spec.permissions) {
    const resource = typeof p.resource === 'string' ? p.resource : p.resource.join(', ');
    lines.push(`    ${p.actions.join(', ')} on ${resource}: ${condition(p)}`);
  }
  return lines;
}

export const command: CliCommand = {
  usage: 'autopilot explain-actions [--json] [--capability <module.ts>]...',
  run: async (args, io) => {
    let json = false;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === '--json') json = true;
      else if (arg === '--capability') {
        const file = args[++i];
        if (file === undefined)
          throw new UsageError('--capability needs a module path; expected --capability <module.ts>');
        const mod = (await import(pathToFileURL(path.resolve(io.cwd, file)).href)) as {
          capability?: CapabilityRegistration;
        };
        if (mod.capability === undefined)
          throw new UsageError(`${file} exports no capability; expected export const capability`);
        registry.register(mod.capability);
      } else throw new UsageError(`unknown option ${arg}; expected --json or --capability <module.ts>`);
    }
    const actions = registry.actions();
    if (json) {
      for (const { spec, owners } of actions) {
        const { perform: _perform, ...declared } = spec;
        io.stdout(`${JSON.stringify({ ...declared, requestedBy: owners })}\n`);
      }
      return 0;
    }
    io.stdout(`${actions.flatMap(({ spec, owners }) => [...describe(spec, owners), '']).join('\n')}`);
    return 0;
  },
};
