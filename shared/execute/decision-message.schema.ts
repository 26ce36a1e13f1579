import { z } from 'zod';
import { RESOURCE_TYPES } from '../events/normalized-event.ts';
import type { Decision } from '../policy/decision.ts';

/** A decision as it travels on the queue (the JSON of `Decision`), checked before anything acts on it. */
export const DecisionMessageSchema = z.object({
  at: z.string().min(1),
  policy: z.string().min(1),
  action: z.string().min(1),
  target: z.object({
    type: z.enum(RESOURCE_TYPES),
    id: z.string().min(1),
    arn: z.string().optional(),
    region: z.string().optional(),
  }),
  params: z.record(z.string(), z.unknown()),
  reason: z.string(),
  idempotencyKey: z.string().min(1),
  mode: z.enum(['act', 'dry-run', 'frozen']),
  guard: z.object({
    optInTag: z.object({ key: z.string().min(1), value: z.string() }),
    allowZeroEtlTarget: z.boolean(),
    maxResources: z.number().int().nonnegative().nullable(),
  }),
  decidedAt: z.string().min(1).optional(),
  digest: z.string().min(1).optional(),
  // The sweep's read (observed.ts): the resource as the fleet mapping produced it, from our own sweep.
  observed: z
    .object({
      readAt: z.string().min(1),
      resource: z.looseObject({ type: z.enum(['cluster', 'workgroup', 'integration']), id: z.string().min(1) }),
      zeroEtlTarget: z.boolean().optional(),
    })
    .optional(),
});

export function parseDecisionMessage(body: string): Decision {
  const parsed = DecisionMessageSchema.parse(JSON.parse(body));
  const { arn, region, ...target } = parsed.target;
  const { decidedAt, digest, observed, ...rest } = parsed;
  return {
    ...rest,
    ...(observed === undefined ? {} : { observed: observed as unknown as NonNullable<Decision['observed']> }),
    ...(decidedAt === undefined ? {} : { decidedAt }),
    ...(digest === undefined ? {} : { digest }),
    target: { ...target, ...(arn === undefined ? {} : { arn }), ...(region === undefined ? {} : { region }) },
  };
}
