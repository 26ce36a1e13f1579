import { z } from 'zod';

/**
 * The input our EventBridge Scheduler schedules deliver. Scheduler has no envelope: the target gets
 * the configured Input verbatim, with `<aws.scheduler.*>` context attributes substituted.
 */
export const SCHEDULE_INPUT_SOURCE = 'autopilot.scheduler' as const;
export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>' as const;

export const ScheduleInputSchema = z.strictObject({
  source: z.literal(SCHEDULE_INPUT_SOURCE),
  schedule: z.string().min(1),
  scheduledTime: z.string().min(1),
});
export type ScheduleInput = z.infer<typeof ScheduleInputSchema>;

/** The Input to configure on a schedule (serverless.yml): Scheduler fills in the scheduled time. */
export function scheduleInput(name: string): ScheduleInput {
  return { source: SCHEDULE_INPUT_SOURCE, schedule: name, scheduledTime: SCHEDULED_TIME_PLACEHOLDER };
}

/** `scheduleInput(name)` as the JSON string Scheduler's `Input` property takes. */
export function scheduleInputJson(name: string): string {
  return JSON.stringify(scheduleInput(name));
}
