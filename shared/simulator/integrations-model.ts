/**
 * Zero-ETL integrations whose target is a provisioned cluster of the simulator: the events they send
 * when their target pauses or resumes, the faults of each event family (integration-faults.ts), and
 * DeleteIntegration / CreateIntegration — a recreated integration becomes active (0000) unless the
 * condition that broke the old one lives on the source or the target and is still there.
 */
import type {
  CreateIntegrationMessage,
  DeleteIntegrationMessage,
  DescribeIntegrationsMessage,
  Integration,
  Tag,
} from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import { deepFreeze } from './cluster-model.ts';
import type { ClusterRecord, ClusterRegistry } from './cluster-registry.ts';
import {
  conditionOf,
  DEFAULT_EVENT_VALUES,
  type IntegrationCondition,
  type IntegrationFaultRule,
} from './integration-faults.ts';
import { paginate } from './pagination.ts';
import { CASE_SENSITIVE_PARAMETER, type ParameterGroupsModel } from './parameter-groups-model.ts';
import { Prng } from './prng.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import type { SimulatorEvents } from './simulator-events.ts';
import { ZERO_ETL_MESSAGES, zeroEtlFault } from './zero-etl-errors.ts';

interface IntegrationRecord {
  view: Integration;
  targetClusterIdentifier: string;
}

const MINUTE = 60_000;
/**
 * Not in the guide: creating an Aurora zero-ETL integration takes tens of minutes in the console
 * (15–30 here), deleting one a few (2–10).
 */
const CREATE_MS: readonly [number, number] = [15 * MINUTE, 30 * MINUTE];
const DELETE_MS: readonly [number, number] = [2 * MINUTE, 10 * MINUTE];

export class IntegrationsModel {
  private readonly integrations = new Map<string, IntegrationRecord>();
  /** Conditions on a source (SourceArn → event id) a recreate does not fix. */
  private readonly sourceConditions = new Map<string, string>();
  /** Targets running without enable_case_sensitive_identifier (1001), by cluster identifier. */
  private readonly caseInsensitiveTargets = new Set<string>();
  /** Its own stream: creating and deleting integrations shifts no other draw of a seed. */
  private readonly rng: Prng;
  readonly handlers: Record<string, Handler>;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
    private readonly events: SimulatorEvents,
    private readonly parameterGroups?: ParameterGroupsModel,
  ) {
    this.rng = new Prng(`${ctx.seed}/integrations`);
    this.handlers = {
      DescribeIntegrations: (i: DescribeIntegrationsMessage) => this.describeIntegrations(i),
      DeleteIntegration: (i: DeleteIntegrationMessage) => this.deleteIntegration(i),
      CreateIntegration: (i: CreateIntegrationMessage) => this.createIntegration(i),
    };
  }

  /** A zero-ETL integration whose target is a provisioned cluster of this simulator (active, as seeded). */
  addIntegration(input: {
    IntegrationName: string;
    SourceArn: string;
    targetClusterIdentifier: string;
    Tags?: Tag[];
    /** The ARN AWS gave it (a fleet file's); a new one otherwise. */
    IntegrationArn?: string;
  }): Integration {
    const target = this.clusters.mustGet(input.targetClusterIdentifier);
    // Drawn even when the ARN is given, so giving it shifts no other draw of the seed.
    const drawn = `arn:aws:redshift:${this.ctx.region}:${this.ctx.account}:integration:${this.ctx.attrRng.uuid()}`;
    const view: Integration = deepFreeze({
      IntegrationArn: input.IntegrationArn ?? drawn,
      IntegrationName: input.IntegrationName,
      SourceArn: input.SourceArn,
      TargetArn: target.view.ClusterNamespaceArn ?? target.arn,
      Status: 'active',
      Errors: [],
      CreateTime: this.ctx.clock.now(),
      Tags: input.Tags ?? [],
    });
    this.integrations.set(view.IntegrationArn ?? '', { view, targetClusterIdentifier: input.targetClusterIdentifier });
    return view;
  }

  /** Zero-ETL events for every integration whose target is `rec`. */
  emitForTarget(rec: ClusterRecord, eventId: string, statusCode: string): void {
    for (const integ of this.integrations.values()) {
      if (integ.targetClusterIdentifier !== rec.view.ClusterIdentifier) continue;
      this.events.integration(integ.view, eventId, statusCode);
    }
  }

  /**
   * Something breaks one integration at `at`: its status and errors change and its event is sent (again
   * every `repeat.everyMs` for a warning storm). A source condition stays on the source until
   * `fixSource`; 1001 stays on the target until it runs with enable_case_sensitive_identifier=true.
   */
  injectFault(rule: IntegrationFaultRule): void {
    const condition = conditionOf(rule.eventId);
    const found = this.find(rule.integration);
    if (found === undefined) throw new Error(`injectIntegrationFault: no integration ${rule.integration}`);
    if (
      condition.persists === 'target' &&
      this.parameterGroups?.effectiveValue(found.targetClusterIdentifier, CASE_SENSITIVE_PARAMETER) === 'true'
    ) {
      throw new Error(
        `injectIntegrationFault: ${found.targetClusterIdentifier} runs with ${CASE_SENSITIVE_PARAMETER}=true; a 1001 needs it false`,
      );
    }
    const arn = found.view.IntegrationArn ?? '';
    const at = rule.at === undefined ? this.ctx.clock.nowMs() : new Date(rule.at).getTime();
    const count = rule.repeat?.count ?? 1;
    for (let i = 0; i < count; i++) {
      this.ctx.clock.schedule(
        at + i * (rule.repeat?.everyMs ?? 0),
        () => {
          const rec = this.integrations.get(arn);
          // Deleted or being deleted meanwhile: nothing is left to break.
          if (rec === undefined || rec.view.Status === 'deleting') return;
          if (i === 0) this.holdCondition(rec, rule.eventId, condition);
          this.fail(rec, rule.eventId, condition, { ...DEFAULT_EVENT_VALUES, ...rule.values });
        },
        `integration ${found.view.IntegrationName}: ${rule.eventId}`,
      );
    }
  }

  /** The source is fixed (an operator changed its parameters, permissions or tables): recreates succeed again. */
  fixSource(sourceArn: string): void {
    this.sourceConditions.delete(sourceArn);
  }

  private holdCondition(rec: IntegrationRecord, eventId: string, condition: IntegrationCondition): void {
    if (condition.persists === 'source') this.sourceConditions.set(rec.view.SourceArn ?? '', eventId);
    if (condition.persists === 'target') this.caseInsensitiveTargets.add(rec.targetClusterIdentifier);
  }

  private fail(
    rec: IntegrationRecord,
    eventId: string,
    condition: IntegrationCondition,
    values: Readonly<Record<string, string>> = DEFAULT_EVENT_VALUES,
  ): void {
    this.update(rec, {
      Status: condition.status,
      Errors: [{ ErrorCode: condition.statusCode, ErrorMessage: eventId }],
    });
    this.events.integration(rec.view, eventId, condition.statusCode, condition.detailStatus, values);
  }

  private update(rec: IntegrationRecord, patch: Partial<Integration>): void {
    rec.view = deepFreeze({ ...rec.view, ...patch });
  }

  private find(nameOrArn: string): IntegrationRecord | undefined {
    return (
      this.integrations.get(nameOrArn) ??
      [...this.integrations.values()].find((r) => r.view.IntegrationName === nameOrArn)
    );
  }

  /** What still breaks an integration between this source and target, as the event it sends; null: nothing. */
  private blockingCondition(sourceArn: string, targetClusterIdentifier: string): string | null {
    if (this.caseInsensitiveTargets.has(targetClusterIdentifier)) {
      const value = this.parameterGroups?.effectiveValue(targetClusterIdentifier, CASE_SENSITIVE_PARAMETER);
      if (value !== 'true') return 'REDSHIFT-INTEGRATION-EVENT-1001';
      this.caseInsensitiveTargets.delete(targetClusterIdentifier);
    }
    return this.sourceConditions.get(sourceArn) ?? null;
  }

  deleteIntegration(input: DeleteIntegrationMessage) {
    const rec = this.integrations.get(input.IntegrationArn ?? '');
    if (rec === undefined) this.ctx.fault('IntegrationNotFoundFault', MESSAGES.integrationNotFound);
    if (rec.view.Status === 'deleting' || rec.view.Status === 'creating' || rec.view.Status === 'modifying') {
      throw zeroEtlFault(
        'IntegrationConflictStateFault',
        ZERO_ETL_MESSAGES.integrationConflictState,
        this.ctx.requestId(),
      );
    }
    this.update(rec, { Status: 'deleting' });
    this.events.integration(rec.view, 'REDSHIFT-INTEGRATION-EVENT-0002', 'DELETING', 'DELETING');
    const arn = rec.view.IntegrationArn ?? '';
    this.ctx.clock.after(
      this.draw(DELETE_MS),
      () => {
        this.integrations.delete(arn);
        this.events.integration(rec.view, 'REDSHIFT-INTEGRATION-EVENT-0001', 'DELETED', 'DELETED');
      },
      `integration ${rec.view.IntegrationName}: deleted`,
    );
    return rec.view;
  }

  createIntegration(input: CreateIntegrationMessage) {
    const target = this.clusters
      .records()
      .find((r) => r.view.ClusterNamespaceArn === input.TargetArn || r.arn === input.TargetArn);
    if (target === undefined) {
      throw zeroEtlFault('IntegrationTargetNotFoundFault', ZERO_ETL_MESSAGES.targetNotFound, this.ctx.requestId());
    }
    // Names are unique in the account, and one source replicates into one target once, until deleted.
    const clash = [...this.integrations.values()].some(
      (r) =>
        r.view.IntegrationName === input.IntegrationName ||
        (r.view.SourceArn === input.SourceArn && r.targetClusterIdentifier === target.view.ClusterIdentifier),
    );
    if (clash) {
      throw zeroEtlFault('IntegrationAlreadyExistsFault', ZERO_ETL_MESSAGES.integrationExists, this.ctx.requestId());
    }
    const view: Integration = deepFreeze({
      IntegrationArn: `arn:aws:redshift:${this.ctx.region}:${this.ctx.account}:integration:${this.rng.uuid()}`,
      IntegrationName: input.IntegrationName,
      SourceArn: input.SourceArn,
      TargetArn: target.view.ClusterNamespaceArn ?? target.arn,
      Status: 'creating',
      Errors: [],
      CreateTime: this.ctx.clock.now(),
      ...(input.Description === undefined ? {} : { Description: input.Description }),
      ...(input.KMSKeyId === undefined ? {} : { KMSKeyId: input.KMSKeyId }),
      ...(input.AdditionalEncryptionContext === undefined
        ? {}
        : { AdditionalEncryptionContext: input.AdditionalEncryptionContext }),
      Tags: input.TagList ?? [],
    });
    const rec: IntegrationRecord = { view, targetClusterIdentifier: target.view.ClusterIdentifier ?? '' };
    this.integrations.set(view.IntegrationArn ?? '', rec);
    this.ctx.clock.after(
      this.draw(CREATE_MS),
      () => this.finishCreate(rec),
      `integration ${view.IntegrationName}: created`,
    );
    return view;
  }

  private finishCreate(rec: IntegrationRecord): void {
    if (this.integrations.get(rec.view.IntegrationArn ?? '') !== rec) return;
    const blocking = this.blockingCondition(rec.view.SourceArn ?? '', rec.targetClusterIdentifier);
    if (blocking !== null) {
      this.fail(rec, blocking, conditionOf(blocking));
      return;
    }
    this.update(rec, { Status: 'active' });
    this.events.integration(rec.view, 'REDSHIFT-INTEGRATION-EVENT-0000', 'ACTIVE', 'ACTIVE');
  }

  private draw(range: readonly [number, number]): number {
    return Math.round(this.rng.between(range[0], range[1]));
  }

  describeIntegrations(input: DescribeIntegrationsMessage) {
    const size = this.ctx.pageSize(input.MaxRecords);
    const start = this.ctx.offset(input.Marker);
    if (input.IntegrationArn !== undefined && !this.integrations.has(input.IntegrationArn)) {
      this.ctx.fault('IntegrationNotFoundFault', MESSAGES.integrationNotFound);
    }
    const list = [...this.integrations.values()]
      .map((i) => i.view)
      .filter((v) => {
        if (input.IntegrationArn !== undefined && v.IntegrationArn !== input.IntegrationArn) return false;
        for (const f of input.Filters ?? []) {
          const values = f.Values ?? [];
          const actual =
            f.Name === 'integration-arn'
              ? v.IntegrationArn
              : f.Name === 'source-arn'
                ? v.SourceArn
                : f.Name === 'status'
                  ? v.Status
                  : undefined;
          if (f.Name === 'source-types') continue;
          if (!values.includes(actual ?? '')) return false;
        }
        return true;
      });
    const page = paginate(list, start, size);
    return { Integrations: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }
}
