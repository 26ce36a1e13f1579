/**
 * Usage limits of Redshift Serverless workgroups (facts.md §5): RPU-hours (`serverless-compute`) or
 * cross-Region data sharing (TB), periods daily/weekly/monthly, breach actions log, emit-metric or
 * deactivate, up to four per workgroup (guide L1964). Created for a workgroup ARN; they carry no tags
 * (the API has none for them). The error for a fifth limit is not documented: a ValidationException
 * is assumed (GAP). The breach actions' effect is the usage model's (usage-metrics-model.ts): a
 * `serverless-compute` limit with `deactivate` whose amount is consumed stops the workgroup's user
 * queries until the next period; `log` and `emit-metric` only inform (facts.md §5, L2104–2109).
 */
import type {
  CreateUsageLimitRequest,
  DeleteUsageLimitRequest,
  GetUsageLimitRequest,
  ListUsageLimitsRequest,
  UpdateUsageLimitRequest,
  UsageLimit,
  Workgroup,
} from '@aws-sdk/client-redshift-serverless';
import { serverlessErrors } from './aws-errors.ts';
import { deepFreeze } from './cluster-model.ts';
import { decodeToken, paginate } from './pagination.ts';
import type { ServerlessContext } from './serverless-model.ts';

export const SERVERLESS_USAGE_TYPES = ['serverless-compute', 'cross-region-datasharing'] as const;
export const SERVERLESS_BREACH_ACTIONS = ['log', 'emit-metric', 'deactivate'] as const;
const PERIODS = ['daily', 'weekly', 'monthly'];
export const MAX_SERVERLESS_LIMITS = 4;

type Handler = (input: never) => object;

export class ServerlessUsageLimitsModel {
  private readonly limits = new Map<string, UsageLimit>();
  readonly handlers: Record<string, Handler>;

  constructor(
    private readonly ctx: ServerlessContext,
    private readonly workgroupByArn: (arn: string) => Workgroup | undefined,
  ) {
    this.handlers = {
      CreateUsageLimit: (i: CreateUsageLimitRequest) => this.create(i),
      GetUsageLimit: (i: GetUsageLimitRequest) => ({ usageLimit: this.mustGet(i.usageLimitId) }),
      ListUsageLimits: (i: ListUsageLimitsRequest) => this.list(i),
      UpdateUsageLimit: (i: UpdateUsageLimitRequest) => this.update(i),
      DeleteUsageLimit: (i: DeleteUsageLimitRequest) => this.delete(i),
    };
  }

  private invalid(message: string): never {
    throw serverlessErrors.validation(message, this.ctx.requestId());
  }

  private mustGet(id: string | undefined): UsageLimit {
    const limit = this.limits.get(id ?? '');
    if (limit === undefined) {
      throw serverlessErrors.notFound(`Usage limit ${id ?? ''} not found`, id ?? '', this.ctx.requestId());
    }
    return limit;
  }

  private checkAmountAndAction(amount: number | undefined, breachAction: string | undefined): void {
    if (amount !== undefined && !(Number.isSafeInteger(amount) && amount > 0)) {
      this.invalid('The usage limit amount must be a positive number.');
    }
    if (breachAction !== undefined && !(SERVERLESS_BREACH_ACTIONS as readonly string[]).includes(breachAction)) {
      this.invalid(`Invalid breach action ${breachAction}.`);
    }
  }

  create(input: CreateUsageLimitRequest) {
    const arn = input.resourceArn ?? '';
    if (this.workgroupByArn(arn) === undefined) {
      throw serverlessErrors.notFound(`Resource ${arn} not found`, arn, this.ctx.requestId());
    }
    if (!(SERVERLESS_USAGE_TYPES as readonly string[]).includes(input.usageType ?? '')) {
      this.invalid(`Invalid usage type ${input.usageType ?? ''}.`);
    }
    if (input.amount === undefined) this.invalid('The usage limit amount is required.');
    this.checkAmountAndAction(input.amount, input.breachAction);
    if (input.period !== undefined && !PERIODS.includes(input.period)) this.invalid(`Invalid period ${input.period}.`);
    const onWorkgroup = [...this.limits.values()].filter((l) => l.resourceArn === arn);
    if (onWorkgroup.length >= MAX_SERVERLESS_LIMITS) {
      this.invalid(`A workgroup can have at most ${MAX_SERVERLESS_LIMITS} usage limits.`);
    }
    const id = this.ctx.attrRng.uuid();
    const usageLimit: UsageLimit = deepFreeze({
      usageLimitId: id,
      usageLimitArn: `arn:aws:redshift-serverless:${this.ctx.region}:${this.ctx.account}:usagelimit/${id}`,
      resourceArn: arn,
      usageType: input.usageType,
      amount: input.amount,
      period: input.period ?? 'monthly',
      breachAction: input.breachAction ?? 'log',
    });
    this.limits.set(id, usageLimit);
    return { usageLimit };
  }

  list(input: ListUsageLimitsRequest) {
    const size = input.maxResults ?? 100;
    if (!Number.isInteger(size) || size < 1 || size > 100) this.invalid('maxResults must be between 1 and 100.');
    const start = input.nextToken === undefined ? 0 : decodeToken(input.nextToken);
    if (start === undefined) this.invalid('Invalid nextToken');
    const list = [...this.limits.values()].filter(
      (l) =>
        (input.resourceArn === undefined || l.resourceArn === input.resourceArn) &&
        (input.usageType === undefined || l.usageType === input.usageType),
    );
    const page = paginate(list, start, size);
    return { usageLimits: page.items, ...(page.next === undefined ? {} : { nextToken: page.next }) };
  }

  update(input: UpdateUsageLimitRequest) {
    const limit = this.mustGet(input.usageLimitId);
    this.checkAmountAndAction(input.amount, input.breachAction);
    const usageLimit: UsageLimit = deepFreeze({
      ...limit,
      ...(input.amount === undefined ? {} : { amount: input.amount }),
      ...(input.breachAction === undefined ? {} : { breachAction: input.breachAction }),
    });
    this.limits.set(usageLimit.usageLimitId ?? '', usageLimit);
    return { usageLimit };
  }

  delete(input: DeleteUsageLimitRequest) {
    const usageLimit = this.mustGet(input.usageLimitId);
    this.limits.delete(usageLimit.usageLimitId ?? '');
    return { usageLimit };
  }

  /** The limits of one workgroup (by its ARN), in creation order. */
  forResource(arn: string): UsageLimit[] {
    return [...this.limits.values()].filter((l) => l.resourceArn === arn);
  }

  /** A workgroup's limits go with it. */
  dropForResource(arn: string): void {
    for (const [id, l] of this.limits) if (l.resourceArn === arn) this.limits.delete(id);
  }
}
