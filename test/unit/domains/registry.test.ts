import { describe, expect, it } from 'vitest';
import { registry } from '../../../shared/policy/registry.ts';

const CAPABILITIES = registry.capabilities;

// Meta test (Custodian habit): every registered capability declares what the engine relies on.
describe('capability registry', () => {
  it('gives every YAML key to exactly one capability', () => {
    const keys = CAPABILITIES.flatMap((c) => c.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(CAPABILITIES.map((c) => [c.name, c] as const))(
    '%s declares a schema for each key and a compiler when supported',
    (_name, capability) => {
      expect(capability.resources.length).toBeGreaterThan(0);
      if (capability.supported) {
        for (const key of capability.keys) expect(capability.schemas?.[key], key).toBeDefined();
        expect(capability.compile).toBeTypeOf('function');
      } else {
        expect(capability.schemas).toBeUndefined();
      }
    },
  );

  it('lists what the product needs room for', () => {
    expect(CAPABILITIES.flatMap((c) => c.keys).sort()).toEqual([
      'allow',
      'do',
      'failoverDrill',
      'foldWindow',
      'on',
      'resize',
      'snapshots',
      'usageLimits',
      'window',
    ]);
  });
});
