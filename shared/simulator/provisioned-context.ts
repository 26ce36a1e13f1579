/**
 * What the provisioned-cluster models share: the clock, the account, the duration table and the
 * seeded streams. One instance per simulator, handed to every model, so each stream is drawn in
 * one order whichever model draws from it (determinism for a seed depends on that).
 */
import { invalidParameterValue, type RedshiftFaultName, redshiftFault } from './aws-errors.ts';
import type { SimulatorDurations } from './cluster-model.ts';
import { decodeToken } from './pagination.ts';
import type { Prng } from './prng.ts';
import type { ServerlessContext } from './serverless-model.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** One SDK operation of a model: its input as the SDK types it, its output without `$metadata`. */
export type Handler = (input: never) => object;

export interface ProvisionedContextInit extends ServerlessContext {
  seed: string;
  /** Data change rates and automated-snapshot timing (its own stream, so other draws keep their order). */
  backupRng: Prng;
}

export class ProvisionedContext implements ServerlessContext {
  readonly clock: VirtualClock;
  readonly region: string;
  readonly account: string;
  readonly seed: string;
  readonly durations: SimulatorDurations;
  readonly durRng: Prng;
  readonly attrRng: Prng;
  readonly backupRng: Prng;
  readonly requestId: () => string;

  constructor(init: ProvisionedContextInit) {
    this.clock = init.clock;
    this.region = init.region;
    this.account = init.account;
    this.seed = init.seed;
    this.durations = init.durations;
    this.durRng = init.durRng;
    this.attrRng = init.attrRng;
    this.backupRng = init.backupRng;
    this.requestId = init.requestId;
  }

  fault(name: RedshiftFaultName, message: string): never {
    throw redshiftFault(name, message, this.requestId());
  }

  /** MaxRecords of the provisioned API: 20–100, default 100. */
  pageSize(maxRecords: number | undefined): number {
    if (maxRecords === undefined) return 100;
    if (!Number.isInteger(maxRecords) || maxRecords < 20 || maxRecords > 100) {
      throw invalidParameterValue(
        `1 validation error detected: Value '${maxRecords}' at 'maxRecords' failed to satisfy constraint: Member must have value between 20 and 100`,
        this.requestId(),
      );
    }
    return maxRecords;
  }

  offset(marker: string | undefined): number {
    if (marker === undefined || marker === '') return 0;
    const offset = decodeToken(marker);
    if (offset === undefined) throw invalidParameterValue('Invalid marker', this.requestId());
    return offset;
  }
}
