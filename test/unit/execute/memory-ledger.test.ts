import { describe, expect, it } from 'vitest';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import { ledgerContract } from './ledger-contract.ts';

describe('MemoryLedger (ledger contract)', () => {
  ledgerContract('memory', () => new MemoryLedger());
});

describe('latest-decision marks per location (issue 18: one name in two targets)', () => {
  it("one target's newer pause does not supersede another target's resume of the same name", async () => {
    const { setKeyHome } = await import('../../../shared/policy/key-scope.ts');
    setKeyHome({ account: '111111111111', region: 'eu-west-1' });
    try {
      const ledger = new MemoryLedger();
      const here = { type: 'cluster' as const, id: 'shared-dw', account: '111111111111', region: 'eu-west-1' };
      const there = { type: 'cluster' as const, id: 'shared-dw', account: '222222222222', region: 'us-east-1' };
      expect(await ledger.markLatest(here, 'running', '2026-12-07T18:00:00.000Z', 'k-here')).toBeNull();
      expect(await ledger.markLatest(there, 'running', '2026-12-07T06:00:00.000Z', 'k-there')).toBeNull();
      // The same location still orders its own decisions.
      expect(await ledger.markLatest(here, 'running', '2026-12-07T06:00:00.000Z', 'k-old')).toBe(
        '2026-12-07T18:00:00.000Z',
      );
    } finally {
      setKeyHome(undefined);
    }
  });
});
