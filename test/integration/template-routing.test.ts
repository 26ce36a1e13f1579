import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { motoClientConfig, motoEndpoint } from '../helpers/moto.ts';
import {
  type CfnTemplate,
  cloneTemplate,
  eventPatterns,
  packageService,
  patternMatches,
  REPO_ROOT,
  resourcesOfType,
} from '../helpers/template.ts';

// The EventBridge rule patterns exactly as packaged, installed in moto's EventBridge with one SQS queue
// per rule; every case is put on the bus and must arrive in exactly the queues of the rules it names.
// Every pattern names the accounts served (`account: [{Ref: AWS::AccountId}]`, issue #22): installed in
// moto, the intrinsic becomes moto's account, the one PutEvents stamps on every event.

/** moto's default account: what CloudFormation would resolve `AWS::AccountId` to in that "account". */
const MOTO_ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '111122223333';

/** The packaged patterns with `{"Ref": "AWS::AccountId"}` resolved to `account`, as CloudFormation does. */
function resolvedPatterns(template: CfnTemplate, account = MOTO_ACCOUNT): Record<string, unknown> {
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node as Record<string, unknown>);
    if (entries.length === 1 && entries[0]?.[0] === 'Ref' && entries[0][1] === 'AWS::AccountId') return account;
    return Object.fromEntries(entries.map(([key, value]) => [key, resolve(value)]));
  };
  return resolve(eventPatterns(template)) as Record<string, unknown>;
}

/** A case as EventBridge delivers it on moto's bus: from moto's account unless the case says otherwise. */
const delivered = (event: Json): Json => ({ account: MOTO_ACCOUNT, ...event });

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'events');
type Json = Record<string, unknown>;

/** Fixture files are verbatim; AWS's own CloudTrail sample has a trailing comma (hence the .jsonc). */
function fixture(name: string): Json {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  return JSON.parse(name.endsWith('.jsonc') ? text.replace(/,(\s*[}\]])/g, '$1') : text) as Json;
}

/** An EventBridge event as a PutEvents entry (moto fills in id, time, account and region). */
function entry(event: Json): PutEventsRequestEntry {
  return {
    Source: String(event.source),
    DetailType: String(event['detail-type']),
    Detail: JSON.stringify(event.detail ?? {}),
    Resources: (event.resources as string[] | undefined) ?? [],
  };
}

/** A CloudTrail record as EventBridge delivers it: the record becomes `detail`. */
function viaCloudTrail(record: Json, overrides: Json = {}): Json {
  const detail = { ...record, ...overrides };
  const source =
    detail.eventSource === 'redshift-serverless.amazonaws.com' ? 'aws.redshift-serverless' : 'aws.redshift';
  return {
    source: String(detail.eventSource).startsWith('redshift-data') ? 'aws.redshift-data' : source,
    'detail-type': 'AWS API Call via CloudTrail',
    detail,
  };
}

function alarmOn(namespace: string, name: string, dimensions: Json): Json {
  const event = fixture('eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json');
  const detail = structuredClone(event.detail) as { alarmName: string; configuration: { metrics: Json[] } };
  detail.alarmName = `${namespace}-${name}`;
  detail.configuration.metrics = [
    {
      id: 'm1',
      metricStat: { metric: { namespace, name, dimensions }, period: 300, stat: 'Average' },
      returnData: true,
    },
  ];
  return { ...event, detail };
}

const integration = fixture('eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json');
const reboot = fixture('cloudtrail-record-redshift-RebootCluster.json');

/**
 * The detail-types the EventBridge event reference lists for aws.redshift-serverless; the guide names
 * none, so the rule matches on the source and these are only cases, next to ones nobody has listed.
 */
const SERVERLESS_DETAIL_TYPES = [
  'Redshift Serverless Management',
  'Redshift Serverless Data Sharing',
  'Redshift Serverless Rate change',
  'Redshift Serverless Base RPU Change',
  'Redshift Serverless Configuration',
  'Redshift Serverless Monitoring',
  'Redshift Serverless Security',
  'Redshift Serverless Pending',
] as const;

const INTEGRATION = 'IngestIntegrationEventsRule';
const SERVERLESS = 'IngestServerlessEventsRule';
const ALARM = 'IngestAlarmStateRule';
const API_CALL = 'IngestApiCallRule';

interface RoutingCase {
  name: string;
  event: Json;
  rules: string[];
  /**
   * moto 5.2 does not match fields inside arrays of objects (real EventBridge does, see patternMatches):
   * for these cases moto routes nowhere, which the test pins so the marker goes once moto learns it.
   */
  motoCannotMatchArrays?: true;
}

const CASES: RoutingCase[] = [
  // Real payloads (test/fixtures/events).
  { name: 'zero-ETL Integration Monitoring (captured)', event: integration, rules: [INTEGRATION] },
  {
    name: 'CloudTrail CreateCluster',
    event: viaCloudTrail(fixture('cloudtrail-record-redshift-CreateCluster.json')),
    rules: [API_CALL],
  },
  {
    name: 'CloudTrail DeleteCluster',
    event: viaCloudTrail(fixture('cloudtrail-record-redshift-DeleteCluster.json')),
    rules: [API_CALL],
  },
  { name: 'CloudTrail RebootCluster', event: viaCloudTrail(reboot), rules: [API_CALL] },
  {
    name: 'CloudTrail serverless CreateNamespace',
    event: viaCloudTrail(fixture('cloudtrail-record-redshift-serverless-CreateNamespace.jsonc')),
    rules: [API_CALL],
  },
  {
    name: 'alarm on AWS/EC2 CPUUtilization',
    event: fixture('eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json'),
    rules: [],
  },
  {
    name: 'composite alarm',
    event: fixture('eventbridge-aws.cloudwatch-alarm-state-change-composite-with-suppressor.json'),
    rules: [],
  },
  {
    name: 'Redshift Data API statement status change',
    event: fixture('eventbridge-aws.redshift-data-statement-status-change.json'),
    rules: [],
  },
  { name: 'EventBridge scheduled event', event: fixture('eventbridge-aws.events-scheduled-event.json'), rules: [] },
  // Synthesized from the real shapes: the other detail-types, Redshift alarms, more API calls.
  ...['Redshift Integration Configuration', 'Redshift Integration Operation'].map((detailType) => ({
    name: `zero-ETL ${detailType}`,
    event: { ...integration, 'detail-type': detailType },
    rules: [INTEGRATION],
  })),
  ...SERVERLESS_DETAIL_TYPES.map((detailType) => ({
    name: detailType,
    event: {
      source: 'aws.redshift-serverless',
      'detail-type': detailType,
      detail: { severity: 'INFO', eventDescription: 'Workgroup base RPU change completed successfully.' },
    },
    rules: [SERVERLESS],
  })),
  // A detail-type nobody listed still arrives (the rule matches on the source alone).
  ...['Redshift Serverless Storage', 'Workgroup Change'].map((detailType) => ({
    name: `unlisted serverless detail-type ${detailType}`,
    event: {
      source: 'aws.redshift-serverless',
      'detail-type': detailType,
      detail: { severity: 'INFO', eventDescription: 'Something AWS added later.' },
    },
    rules: [SERVERLESS],
  })),
  {
    name: 'alarm on AWS/Redshift PercentageDiskSpaceUsed',
    event: alarmOn('AWS/Redshift', 'PercentageDiskSpaceUsed', { ClusterIdentifier: 'analytics' }),
    rules: [ALARM],
    motoCannotMatchArrays: true,
  },
  {
    name: 'alarm on AWS/Redshift-Serverless ComputeCapacity',
    event: alarmOn('AWS/Redshift-Serverless', 'ComputeCapacity', { Workgroup: 'bi' }),
    rules: [ALARM],
    motoCannotMatchArrays: true,
  },
  { name: 'CloudTrail PauseCluster', event: viaCloudTrail(reboot, { eventName: 'PauseCluster' }), rules: [API_CALL] },
  { name: 'CloudTrail ResizeCluster', event: viaCloudTrail(reboot, { eventName: 'ResizeCluster' }), rules: [API_CALL] },
  {
    name: 'CloudTrail FailoverPrimaryCompute',
    event: viaCloudTrail(reboot, { eventName: 'FailoverPrimaryCompute' }),
    rules: [API_CALL],
  },
  {
    name: 'CloudTrail serverless UpdateWorkgroup',
    event: viaCloudTrail(reboot, { eventSource: 'redshift-serverless.amazonaws.com', eventName: 'UpdateWorkgroup' }),
    rules: [API_CALL],
  },
  {
    // The serverless rule leaves CloudTrail to the API-call rule: a read-only call reaches neither.
    name: 'CloudTrail serverless GetWorkgroup (read-only)',
    event: viaCloudTrail(reboot, { eventSource: 'redshift-serverless.amazonaws.com', eventName: 'GetWorkgroup' }),
    rules: [],
  },
  {
    name: 'CloudTrail DescribeClusters (read-only)',
    event: viaCloudTrail(reboot, { eventName: 'DescribeClusters' }),
    rules: [],
  },
  {
    name: 'CloudTrail redshift-data ExecuteStatement',
    event: viaCloudTrail(reboot, { eventSource: 'redshift-data.amazonaws.com', eventName: 'ExecuteStatement' }),
    rules: [],
  },
];

/** Installs the template's rules in one moto region, each with an SQS queue target; returns a router. */
async function installRules(template: CfnTemplate, region: string) {
  const events = new EventBridgeClient(motoClientConfig(region));
  const sqs = new SQSClient(motoClientConfig(region));
  const queues = new Map<string, string>();
  for (const [rule, pattern] of Object.entries(resolvedPatterns(template))) {
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: `route-${rule}` }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await events.send(new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify(pattern), State: 'ENABLED' }));
    await events.send(
      new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn ?? '' }] }),
    );
    queues.set(rule, QueueUrl);
  }
  /** Puts one event and returns the rules whose queue received it. */
  return async function route(event: Json): Promise<string[]> {
    const { FailedEntryCount } = await events.send(new PutEventsCommand({ Entries: [entry(event)] }));
    expect(FailedEntryCount).toBe(0);
    const routed: string[] = [];
    for (const [rule, QueueUrl] of queues) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const message of Messages) {
        // The queue holds the event as delivered: prove it is this event, not a leftover.
        expect(JSON.parse(message.Body ?? '{}')['detail-type']).toBe(event['detail-type']);
        routed.push(rule);
      }
    }
    return routed.sort();
  };
}

describe.skipIf(motoEndpoint === null)('EventBridge rule patterns of the packaged template (moto)', () => {
  let template: CfnTemplate;
  let route: (event: Json) => Promise<string[]>;

  beforeAll(async () => {
    template = (await packageService()).template;
    route = await installRules(template, 'us-east-1');
  }, 180_000);

  it('has exactly the rules the cases exercise', () => {
    expect(Object.keys(eventPatterns(template)).sort()).toEqual([...new Set(CASES.flatMap((c) => c.rules))].sort());
  });

  it.each(CASES)('$name → $rules', async ({ event, rules, motoCannotMatchArrays }) => {
    const expected = [...rules].sort();
    // EventBridge semantics (arrays of objects included), on the packaged patterns.
    const matching = Object.entries(resolvedPatterns(template))
      .filter(([, pattern]) => patternMatches(pattern, delivered(event)))
      .map(([rule]) => rule)
      .sort();
    expect(matching).toEqual(expected);
    // Real HTTP through moto's EventBridge into SQS.
    expect(await route(event)).toEqual(motoCannotMatchArrays ? [] : expected);
  });

  it('routes alarms nowhere once the alarm rule is removed', () => {
    const withoutRule = cloneTemplate(template);
    delete withoutRule.Resources[ALARM];
    for (const routingCase of CASES.filter((c) => c.rules.includes(ALARM))) {
      const matching = Object.values(resolvedPatterns(withoutRule)).filter((p) =>
        patternMatches(p, delivered(routingCase.event)),
      );
      expect(matching).toEqual([]);
    }
  });

  it('routes the API calls nowhere once the CloudTrail rule is removed', async () => {
    // Prepare: the same template without IngestApiCallRule, installed in a region of its own.
    const withoutRule = cloneTemplate(template);
    delete withoutRule.Resources[API_CALL];
    const routeWithout = await installRules(withoutRule, 'eu-west-1');
    // Act / Assess: every case that needs the rule now misses it.
    for (const routingCase of CASES.filter((c) => c.rules.includes(API_CALL))) {
      expect(await routeWithout(routingCase.event)).not.toEqual(routingCase.rules);
    }
  });
});

describe('the ingest door in the packaged template (issue #22)', () => {
  let template: CfnTemplate;

  beforeAll(async () => {
    template = (await packageService()).template;
  }, 180_000);

  it('names the served accounts in every EventBridge pattern', () => {
    const patterns = eventPatterns(template);
    expect(Object.keys(patterns).length).toBeGreaterThan(0);
    for (const [rule, pattern] of Object.entries(patterns)) {
      expect({ rule, account: (pattern as { account?: unknown }).account }).toEqual({
        rule,
        account: [{ Ref: 'AWS::AccountId' }],
      });
    }
  });

  it('routes an event of another account nowhere, and the same event of this account as before', () => {
    const patterns = Object.values(resolvedPatterns(template));
    for (const routingCase of CASES.filter((c) => c.rules.length > 0)) {
      const foreign = { ...routingCase.event, account: OTHER_ACCOUNT };
      expect({ name: routingCase.name, rules: patterns.filter((p) => patternMatches(p, foreign)) }).toEqual({
        name: routingCase.name,
        rules: [],
      });
      expect(patterns.filter((p) => patternMatches(p, delivered(routingCase.event)))).toHaveLength(
        routingCase.rules.length,
      );
    }
  });

  it('lets only AWS services publish to the ingest topic, the Redshift and CloudWatch ones from this account', () => {
    const [[, policy] = []] = resourcesOfType(template, 'AWS::SNS::TopicPolicy').filter(([, r]) =>
      JSON.stringify(r.Properties?.Topics).includes('IngestTopic'),
    );
    const statements = (policy?.Properties?.PolicyDocument as { Statement: Json[] } | undefined)?.Statement ?? [];
    expect(statements).toContainEqual({
      Sid: 'DenyPublishExceptAwsServices',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Resource: { Ref: 'IngestTopic' },
      Condition: { Bool: { 'aws:PrincipalIsAWSService': 'false' } },
    });
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => s.Principal)).toEqual([
      { Service: 'redshift.amazonaws.com' },
      { Service: 'cloudwatch.amazonaws.com' },
    ]);
    for (const allow of allows) {
      expect(allow.Condition).toMatchObject({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    }
    expect(statements.map((s) => s.Sid)).toContain('DenyInsecureTransport');
  });
});
