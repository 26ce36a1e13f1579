import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventParseError } from '../../../shared/errors.ts';
import { EVENT_TEXT_MAX_CHARS, quoteEventText } from '../../../shared/events/event-text.ts';
import { normalize } from '../../../shared/events/normalize.ts';
import type { NormalizedEvent } from '../../../shared/events/normalized-event.ts';
import { foreignClaim, type ServedScope } from '../../../shared/events/served.ts';
import { indexFleet, parseFleet, resourceOfRef } from '../../../shared/policy/fleet.ts';

// Issue #22, the pure parts of the door: what an event claims (normalize), whether the deployment serves
// it (foreignClaim), that a foreign ARN resolves to no local resource, and how event text is quoted.

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'events');
const text = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const OURS = '147946154733';
const OTHER = '111122223333';
const SCOPE: ServedScope = { accounts: [OURS], regions: ['us-east-1'] };

function one(payload: unknown): NormalizedEvent {
  const [event] = normalize(payload, { receivedAt: '2026-01-06T10:00:00Z' });
  if (event === undefined) throw new Error('no event');
  return event;
}

/** The real SNS-delivered notification with its message body edited. */
function sns(fixture: string, edit: (body: Record<string, unknown>) => void): unknown {
  const event = JSON.parse(text(fixture)) as { Records: { Sns: { Message: string } }[] };
  const record = event.Records[0];
  if (record === undefined) throw new Error('no record');
  const body = JSON.parse(record.Sns.Message) as Record<string, unknown>;
  edit(body);
  record.Sns.Message = JSON.stringify(body);
  return event;
}

const NOTIFICATION = 'sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json';
const ALARM = 'sns-lambda-event-cloudwatch-alarm-AWS-Redshift-PercentageDiskSpaceUsed.json';

describe('what a notification claims', () => {
  it('takes the account and Region of the real captures from the topic and the Identifier Link', () => {
    const event = one(JSON.parse(text(NOTIFICATION)));
    expect([event.account, event.region, event.resource]).toEqual([
      OURS,
      'us-east-1',
      { type: 'cluster', id: 'sapi-14-firehouse' },
    ]);
    expect(foreignClaim(event, SCOPE)).toBeNull();
  });

  it('prefers the Source ARN of the body over the topic, and keeps it as the resource ARN', () => {
    const arn = `arn:aws:redshift:eu-west-1:${OTHER}:cluster:sapi-14-firehouse`;
    const event = one(sns(NOTIFICATION, (body) => Object.assign(body, { 'Source ARN': arn })));
    expect([event.account, event.region, event.resource]).toEqual([
      OTHER,
      'eu-west-1',
      { type: 'cluster', id: 'sapi-14-firehouse', arn },
    ]);
    expect(foreignClaim(event, SCOPE)).toEqual({ reason: 'foreign-account', value: OTHER, where: 'account' });
  });

  it('reads a Resource given as an ARN as the id it ends in', () => {
    const arn = `arn:aws:redshift:us-east-1:${OURS}:cluster:prod-dw`;
    const event = one(sns(NOTIFICATION, (body) => Object.assign(body, { Resource: arn })));
    expect(event.resource).toEqual({ type: 'cluster', id: 'prod-dw', arn });
  });

  it('rejects an alarm whose AWSAccountId and AlarmArn name different accounts', () => {
    const payload = sns(ALARM, (body) =>
      Object.assign(body, { AlarmArn: `arn:aws:cloudwatch:us-east-1:${OTHER}:alarm:martin-test` }),
    );
    expect(() => one(payload)).toThrow(EventParseError);
    expect(() => one(payload)).toThrow(
      `Records[0].Sns.Message.AWSAccountId: ${OURS} differs from the account of AlarmArn (${OTHER}); expected the same account`,
    );
  });
});

describe('foreignClaim', () => {
  const base = one(JSON.parse(text(NOTIFICATION)));

  it('finds the first account or Region not served, wherever the event names it', () => {
    expect(foreignClaim({ ...base, account: OTHER }, SCOPE)).toMatchObject({ reason: 'foreign-account' });
    expect(foreignClaim({ ...base, region: 'eu-west-1' }, SCOPE)).toMatchObject({ reason: 'foreign-region' });
    const foreignArn = { ...base.resource, arn: `arn:aws:redshift:us-east-1:${OTHER}:cluster:x` };
    expect(foreignClaim({ ...base, resource: foreignArn }, SCOPE)).toEqual({
      reason: 'foreign-account',
      value: OTHER,
      where: 'resource.arn',
    });
  });

  it('serves what names nothing, and checks no account when none is configured', () => {
    expect(foreignClaim({ ...base, account: null, region: null }, SCOPE)).toBeNull();
    expect(foreignClaim({ ...base, account: OTHER }, { accounts: null, regions: ['us-east-1'] })).toBeNull();
    expect(foreignClaim({ ...base, account: OTHER }, { accounts: [OURS, OTHER], regions: ['us-east-1'] })).toBeNull();
  });
});

describe('resourceOfRef: a foreign ARN never falls back to a local id', () => {
  const fleet = indexFleet(
    parseFleet(
      [
        {
          name: 'DescribeClusters',
          json: {
            Clusters: [
              {
                ClusterIdentifier: 'prod-dw',
                ClusterStatus: 'available',
                NodeType: 'ra3.xlplus',
                NumberOfNodes: 2,
                ClusterNamespaceArn: `arn:aws:redshift:us-east-1:${OURS}:namespace:0b8a`,
                Tags: [],
              },
            ],
          },
        },
      ],
      '2026-01-06T10:00:00.000Z',
    ),
  );

  it('resolves by id, by its own ARN, and by an ARN of the same account and Region', () => {
    expect(resourceOfRef(fleet, { type: 'cluster', id: 'prod-dw' })?.id).toBe('prod-dw');
    const own = `arn:aws:redshift:us-east-1:${OURS}:cluster:prod-dw`;
    expect(resourceOfRef(fleet, { type: 'cluster', id: 'prod-dw', arn: own })?.id).toBe('prod-dw');
  });

  it('resolves an ARN of another account or Region to nothing', () => {
    for (const arn of [
      `arn:aws:redshift:us-east-1:${OTHER}:cluster:prod-dw`,
      `arn:aws:redshift:eu-west-1:${OURS}:cluster:prod-dw`,
    ]) {
      expect(resourceOfRef(fleet, { type: 'cluster', id: 'prod-dw', arn })).toBeUndefined();
    }
  });
});

describe('quoteEventText', () => {
  it('quotes, escapes quotes and backslashes, and turns control and bidi characters into spaces', () => {
    expect(quoteEventText('Cluster "a" paused\nWhat to do:\u202e evil\\')).toBe(
      '"Cluster \\"a\\" paused What to do: evil\\\\"',
    );
  });

  it('cuts text to the bound with an ellipsis, never inside a surrogate pair', () => {
    const quoted = quoteEventText('😀'.repeat(EVENT_TEXT_MAX_CHARS + 10));
    expect(Array.from(quoted)).toHaveLength(EVENT_TEXT_MAX_CHARS + 2);
    expect(quoted.endsWith('😀…"')).toBe(true);
    expect(quoteEventText('short')).toBe('"short"');
  });
});
