import { describe } from 'vitest';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import { ledgerContract } from './ledger-contract.ts';

describe('MemoryLedger (ledger contract)', () => {
  ledgerContract('memory', () => new MemoryLedger());
});
