/**
 * Usage limits of provisioned clusters: up to three per feature, at most one of them with the
 * disable action; they go with their cluster.
 */
import type {
  CreateUsageLimitMessage,
  DeleteUsageLimitMessage,
  DescribeUsageLimitsMessage,
  ModifyUsageLimitMessage,
  UsageLimit,
} from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import { deepFreeze } from './cluster-model.ts';
import type { ClusterRegistry } from './cluster-registry.ts';
import { paginate } from './pagination.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import { sameTags, validateTags } from './tag-rules.ts';

export interface UsageLimitRecord {
  view: UsageLimit;
  arn: string;
}

export class UsageLimitsModel {
  private readonly usageLimits = new Map<string, UsageLimitRecord>();
  readonly handlers: Record<string, Handler>;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
  ) {
    this.handlers = {
      CreateUsageLimit: (i: CreateUsageLimitMessage) => this.createUsageLimit(i),
      DescribeUsageLimits: (i: DescribeUsageLimitsMessage) => this.describeUsageLimits(i),
      ModifyUsageLimit: (i: ModifyUsageLimitMessage) => this.modifyUsageLimit(i),
      DeleteUsageLimit: (i: DeleteUsageLimitMessage) => this.deleteUsageLimit(i),
    };
  }

  get(id: string): UsageLimitRecord | undefined {
    return this.usageLimits.get(id);
  }

  values(): IterableIterator<UsageLimitRecord> {
    return this.usageLimits.values();
  }

  dropForCluster(clusterIdentifier: string): void {
    for (const [lid, limit] of this.usageLimits)
      if (limit.view.ClusterIdentifier === clusterIdentifier) this.usageLimits.delete(lid);
  }

  createUsageLimit(input: CreateUsageLimitMessage) {
    const rec = this.clusters.mustGet(input.ClusterIdentifier);
    const feature = input.FeatureType ?? '';
    const limitType = input.LimitType ?? '';
    // The three features the guide names (facts.md §5, L3148–3156, L26894) and their LimitType (API
    // reference CreateUsageLimit); facts.md finds no extra-compute-for-automatic-optimization feature.
    const validType: Record<string, string> = {
      'concurrency-scaling': 'time',
      spectrum: 'data-scanned',
      'cross-region-datasharing': 'data-scanned',
    };
    // Amount is a Long: a positive whole number (facts.md §5).
    if (validType[feature] !== limitType || !(Number.isSafeInteger(input.Amount) && (input.Amount ?? 0) > 0)) {
      this.ctx.fault('InvalidUsageLimitFault', MESSAGES.usageLimitInvalid);
    }
    const breachAction = input.BreachAction ?? 'log';
    const existing = [...this.usageLimits.values()].filter(
      (l) => l.view.ClusterIdentifier === rec.view.ClusterIdentifier && l.view.FeatureType === feature,
    );
    // Up to three limits per feature, at most one of them with the disable action (guide L3163–3167).
    if (
      existing.length >= 3 ||
      (breachAction === 'disable' && existing.some((l) => l.view.BreachAction === 'disable'))
    ) {
      this.ctx.fault('InvalidUsageLimitFault', MESSAGES.usageLimitInvalid);
    }
    validateTags(this.ctx, input.Tags ?? [], 0);
    const limitId = `lim-${this.ctx.attrRng.hex(16)}`;
    const view: UsageLimit = deepFreeze({
      UsageLimitId: limitId,
      ClusterIdentifier: rec.view.ClusterIdentifier ?? '',
      FeatureType: input.FeatureType,
      LimitType: input.LimitType,
      Amount: input.Amount,
      Period: input.Period ?? 'monthly',
      BreachAction: breachAction,
      Tags: (input.Tags ?? []).map((t) => ({ ...t })),
    });
    this.usageLimits.set(limitId, {
      view,
      arn: `arn:aws:redshift:${this.ctx.region}:${this.ctx.account}:usagelimit:${limitId}`,
    });
    return view;
  }

  describeUsageLimits(input: DescribeUsageLimitsMessage) {
    const size = this.ctx.pageSize(input.MaxRecords);
    const start = this.ctx.offset(input.Marker);
    if (input.UsageLimitId !== undefined && !this.usageLimits.has(input.UsageLimitId)) {
      this.ctx.fault('UsageLimitNotFoundFault', MESSAGES.usageLimitNotFound);
    }
    if (input.ClusterIdentifier !== undefined) this.clusters.mustGet(input.ClusterIdentifier);
    const list = [...this.usageLimits.values()]
      .map((l) => l.view)
      .filter(
        (v) =>
          (input.UsageLimitId === undefined || v.UsageLimitId === input.UsageLimitId) &&
          (input.ClusterIdentifier === undefined || v.ClusterIdentifier === input.ClusterIdentifier) &&
          (input.FeatureType === undefined || v.FeatureType === input.FeatureType) &&
          sameTags(v.Tags, input.TagKeys, input.TagValues),
      );
    const page = paginate(list, start, size);
    return { UsageLimits: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }

  modifyUsageLimit(input: ModifyUsageLimitMessage) {
    const limit = this.usageLimits.get(input.UsageLimitId ?? '');
    if (limit === undefined) return this.ctx.fault('UsageLimitNotFoundFault', MESSAGES.usageLimitNotFound);
    if (input.Amount !== undefined && !(Number.isSafeInteger(input.Amount) && input.Amount > 0))
      this.ctx.fault('InvalidUsageLimitFault', MESSAGES.usageLimitInvalid);
    if (input.BreachAction === 'disable' && limit.view.BreachAction !== 'disable') {
      const other = [...this.usageLimits.values()].some(
        (l) =>
          l !== limit &&
          l.view.ClusterIdentifier === limit.view.ClusterIdentifier &&
          l.view.FeatureType === limit.view.FeatureType &&
          l.view.BreachAction === 'disable',
      );
      if (other) this.ctx.fault('InvalidUsageLimitFault', MESSAGES.usageLimitInvalid);
    }
    limit.view = deepFreeze({
      ...limit.view,
      ...(input.Amount === undefined ? {} : { Amount: input.Amount }),
      ...(input.BreachAction === undefined ? {} : { BreachAction: input.BreachAction }),
    });
    return limit.view;
  }

  deleteUsageLimit(input: DeleteUsageLimitMessage) {
    if (!this.usageLimits.delete(input.UsageLimitId ?? ''))
      this.ctx.fault('UsageLimitNotFoundFault', MESSAGES.usageLimitNotFound);
    return {};
  }
}
