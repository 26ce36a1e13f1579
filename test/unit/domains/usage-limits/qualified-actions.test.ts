import { describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../../../shared/execute/action-registry.ts';
import { type ActionSpec, actionKey } from '../../../../shared/execute/action-spec.ts';
import { capability as toy } from '../../../fixtures/capabilities/toy-reboot/index.ts';

/** An operation both services have (CreateUsageLimit) is two actions once one of them is service-qualified. */
const base = toy.actions?.[0] as ActionSpec;
const provisioned: ActionSpec = { ...base, name: 'CreateUsageLimit', service: 'redshift' };
const serverless: ActionSpec = { ...base, name: 'CreateUsageLimit', service: 'redshift-serverless', qualified: true };

describe('service-qualified actions', () => {
  it('keys a qualified action <service>:<name> and an ordinary one by its name', () => {
    expect(actionKey(provisioned)).toBe('CreateUsageLimit');
    expect(actionKey(serverless)).toBe('redshift-serverless:CreateUsageLimit');
  });

  it('holds both services’ CreateUsageLimit and finds each by the key decisions carry', () => {
    const registry = new ActionRegistry();
    registry.add(provisioned, 'usageLimits');
    registry.add(serverless, 'usageLimits');
    expect(registry.action('CreateUsageLimit')).toBe(provisioned);
    expect(registry.action('redshift-serverless:CreateUsageLimit')).toBe(serverless);
    expect(registry.action('redshift:CreateUsageLimit')).toBeNull();
    expect(registry.actions()).toHaveLength(2);
  });

  it('still refuses a second declaration under a taken key', () => {
    const registry = new ActionRegistry();
    registry.add(serverless, 'usageLimits');
    expect(() => registry.add({ ...serverless }, 'other')).toThrow(
      /action redshift-serverless:CreateUsageLimit is already declared by usageLimits/,
    );
    registry.add(provisioned, 'usageLimits');
    expect(() => registry.add({ ...provisioned }, 'other')).toThrow(/action CreateUsageLimit is already declared/);
  });
});
