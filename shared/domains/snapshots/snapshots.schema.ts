import { z } from 'zod';
import { compileSchedule } from '../../policy/aws-schedule.ts';
import { timezoneSchema } from '../../policy/policy.schema.ts';

export const snapshotsSchema = z.strictObject({
  schedule: z
    .string({ error: 'expected a schedule such as "cron(0 2 * * ? *)" or "rate(12 hours)"' })
    .superRefine((value, ctx) => {
      // The zone does not change what is valid; it is applied when the policy compiles.
      const result = compileSchedule(value, 'UTC');
      if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message });
    }),
  timezone: timezoneSchema.optional(),
  retain: z
    .unknown()
    .superRefine((_v, ctx) => {
      ctx.addIssue({
        code: 'custom',
        message: 'snapshots.retain is not supported yet; remove it or comment it out',
        params: { atKey: true },
      });
    })
    .optional(),
});

export type SnapshotsBlock = z.infer<typeof snapshotsSchema>;
