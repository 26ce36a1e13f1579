import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventParseError } from '../../../shared/errors.ts';
import { normalize, normalizeText } from '../../../shared/events/normalize.ts';
import { NormalizedEventSchema } from '../../../shared/events/normalized-event.ts';
import { loadEventFixture, loadEventFixtureText } from '../../helpers/fixtures.ts';

/**
 * Whatever arrives, normalize either returns valid NormalizedEvents or throws EventParseError: the
 * handler relies on that to dead-letter the payload instead of crashing in some other way.
 */

function outcome(run: () => unknown[]): 'events' | 'parse-error' {
  try {
    for (const event of run()) NormalizedEventSchema.parse(event);
    return 'events';
  } catch (error) {
    // normalize wraps an unexpected exception (a bug) as "could not normalize" so the payload still
    // dead-letters; here that counts as a failure, or this property could never fail.
    if (error instanceof EventParseError && !error.message.includes('could not normalize')) return 'parse-error';
    throw error;
  }
}

const FIXTURES = [
  'sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json',
  'sns-message-body-redshift-event-notification-REDSHIFT-EVENT-2004.json',
  'sns-lambda-event-cloudwatch-alarm-AWS-Redshift-PercentageDiskSpaceUsed.json',
  'eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json',
  'eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json',
  'eventbridge-aws.events-scheduled-event.json',
  'cloudtrail-record-redshift-CreateCluster.json',
] as const;

/** Replaces the value at a random path of a real payload with arbitrary JSON. */
function mutate(value: unknown, path: readonly number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return replacement;
  const [head = 0, ...rest] = path;
  const index = head % entries.length;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...value };
  const key = entries[index]?.[0] ?? '';
  (copy as Record<string, unknown>)[key] = mutate(entries[index]?.[1], rest, replacement);
  return copy;
}

describe('normalize never throws anything but EventParseError', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(['events', 'parse-error']).toContain(outcome(() => normalize(value)));
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary objects shaped like our envelopes', () => {
    const keys = fc.constantFrom(
      'Records',
      'detail-type',
      'source',
      'detail',
      'eventSource',
      'eventName',
      'Event Source',
      'AlarmName',
      'Sns',
      'Message',
      'time',
      'resources',
    );
    fc.assert(
      fc.property(fc.dictionary(keys, fc.jsonValue()), (value) => {
        expect(['events', 'parse-error']).toContain(outcome(() => normalize(value)));
      }),
      { numRuns: 500 },
    );
  });

  it('on real payloads with one value anywhere replaced by arbitrary JSON', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.jsonValue(),
        (name, path, replacement) => {
          const payload = mutate(loadEventFixture(name), path, replacement);
          expect(['events', 'parse-error']).toContain(
            outcome(() => normalize(payload, { receivedAt: '2026-11-25T09:00:00Z' })),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on arbitrary text and on real payloads cut anywhere', () => {
    const text = loadEventFixtureText('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
        ),
        (input) => {
          expect(['events', 'parse-error']).toContain(outcome(() => normalizeText(input)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
