import type { ActionEffect } from '../../execute/action-spec.ts';

/**
 * How plan walks a usage-limit change forward, for both kinds of limit: a cluster's (Redshift API,
 * `UsageLimitId`/`Amount`/`BreachAction`) and a workgroup's (Redshift Serverless API, camelCase keys).
 */
export interface LimitParamKeys {
  resource: 'cluster' | 'workgroup';
  id: string;
  amount: string;
  breachAction: string;
}

/** The limit named by the decision takes the declared amount and breach action. */
export function changeLimitEffect(keys: LimitParamKeys): ActionEffect {
  return {
    apply: (r, p) =>
      r.type === keys.resource
        ? {
            ...r,
            limits: (r.limits ?? []).map((l) =>
              l.id === p[keys.id]
                ? { ...l, amount: Number(p[keys.amount]), breachAction: String(p[keys.breachAction]) }
                : l,
            ),
          }
        : r,
    changesState: false,
    cost: 'none',
    mark: '≠',
  };
}

/** The limit named by the decision is gone. */
export function dropLimitEffect(keys: Pick<LimitParamKeys, 'resource' | 'id'>): ActionEffect {
  return {
    apply: (r, p) =>
      r.type === keys.resource ? { ...r, limits: (r.limits ?? []).filter((l) => l.id !== p[keys.id]) } : r,
    changesState: false,
    cost: 'none',
    mark: '⊖',
  };
}
