import { describe, expect, it } from 'vitest';
import { INTEGRATION_FAMILIES } from '../../../../shared/domains/zero-etl/integration-events.ts';
import { decide } from '../../../../shared/policy/decide.ts';
import type { Decision } from '../../../../shared/policy/decision.ts';
import { fleet, INTEGRATION_IDS, integrationEvent, policies, problemsOf, SOURCE_ARN } from './zero-etl-fixtures.ts';

/**
 * Issue 17: every zero-ETL integration id of the catalog, in its EventBridge envelope, through normalize
 * and decide(): the documented reaction of its family, or an alert whose runbook says what to do.
 */
const ALL = policies(`version: 1
policies:
  - name: zetl
    resource: integration
    on: { categories: [Monitoring, Operation, Configuration] }
    do: [resume-target, fix-target-parameter, alert]
    allow: { modifyTargetParameterGroup: true }
`);

function decideOn(id: string, status = 'paused') {
  const event = integrationEvent(id);
  return {
    event,
    ...decide({ policies: ALL, fleet: fleet(status), trigger: event, now: event.time, ledger: { entries: [] } }),
  };
}

const message = (d: Decision | undefined) => String(d?.params.Message ?? '');

/** What each family does besides its alert, and words its alert must carry. */
const EXPECTED: Record<string, { acts: string[]; says: string[] }> = {
  lifecycle: { acts: [], says: ['nothing to do'] },
  progress: { acts: [], says: ['nothing to do'] },
  'tables-skipped': { acts: [], says: ['orders-aurora'] },
  recreate: {
    acts: [],
    says: [
      'aws rds delete-integration --integration-identifier arn:aws:redshift',
      'aws rds create-integration',
      SOURCE_ARN,
    ],
  },
  'source-authorization': { acts: [], says: ['KMS key policy', 'delete-integration'] },
  limits: { acts: [], says: ['data filter', 'delete-integration'] },
  'target-paused': { acts: ['ResumeCluster dev-zetl'], says: [] },
  'target-resuming': { acts: [], says: ['replication continues'] },
  'source-parameter': { acts: [], says: [SOURCE_ARN, 'modify-db-cluster-parameter-group', 'reboot'] },
  'target-parameter': { acts: ['ModifyClusterParameterGroup dev-zetl'], says: ['reboot the target cluster'] },
  filter: { acts: [], says: ['--data-filter'] },
};

describe('zero-ETL replay: all 26 integration ids in their EventBridge envelope', () => {
  it('the catalog holds 26 integration ids and each has a family', () => {
    expect(INTEGRATION_IDS).toHaveLength(26);
    expect(INTEGRATION_IDS.filter((id) => INTEGRATION_FAMILIES[id] === undefined)).toEqual([]);
  });

  it.each(INTEGRATION_IDS)('%s: identified from its wording, its family reacts, one alert with what to do', (id) => {
    // Act
    const { event, decisions, skips } = decideOn(id);
    // Assess
    expect(event.eventId).toBe(id);
    const family = INTEGRATION_FAMILIES[id] ?? '';
    const expected = EXPECTED[family];
    const acts = decisions.filter((d) => d.action !== 'Publish').map((d) => `${d.action} ${d.target.id}`);
    const alerts = decisions.filter((d) => d.action === 'Publish');
    expect([acts, alerts.length, skips]).toEqual([expected?.acts, 1, []]);
    expect(alerts[0]?.target).toMatchObject({ type: 'integration', id: 'orders-aurora-to-dev' });
    for (const words of expected?.says ?? []) expect(message(alerts[0])).toContain(words);
    // The catalog's own message travels quoted in every alert.
    expect(message(alerts[0])).toContain(`Event text: "${event.message.slice(0, 40)}`);
  });

  it('source misconfiguration names the exact parameter and value per id', () => {
    const said = ['1002', '1003', '1004', '1005'].map((n) =>
      message(decideOn(`REDSHIFT-INTEGRATION-EVENT-${n}`).decisions[0]),
    );
    expect(said[0]).toContain('set cdc_insert_enabled = true');
    expect(said[1]).toContain('set binlog_format = ROW');
    expect(said[2]).toContain('set binlog_transaction_compression = OFF');
    expect(said[3]).toContain('set binlog_row_value_options = "" (empty, not PARTIAL_JSON)');
    expect(message(decideOn('REDSHIFT-INTEGRATION-EVENT-1000').decisions[0])).toContain('binlog_row_image=full');
  });

  it('0005 names the table its text names', () => {
    expect(message(decideOn('REDSHIFT-INTEGRATION-EVENT-0005').decisions[0])).toContain(
      'table public.orders (Redshift database dev)',
    );
  });

  it('1001 sets enable_case_sensitive_identifier=true on the target and states the reboot', () => {
    const fix = decideOn('REDSHIFT-INTEGRATION-EVENT-1001').decisions.find((d) => d.action !== 'Publish');
    expect(fix?.params).toEqual({
      ClusterIdentifier: 'dev-zetl',
      ParameterName: 'enable_case_sensitive_identifier',
      ParameterValue: 'true',
    });
    expect(fix?.reason).toContain("applied at the cluster's next reboot");
    expect(fix?.reason).toContain('aws redshift reboot-cluster --cluster-identifier dev-zetl');
  });

  it('a running target is not resumed; a pausing one waits for 0019', () => {
    expect(decideOn('REDSHIFT-INTEGRATION-EVENT-0019', 'available').decisions.map((d) => d.action)).toEqual([
      'Publish',
    ]);
    const pausing = decideOn('REDSHIFT-INTEGRATION-EVENT-0018', 'pausing');
    expect(pausing.skips.map((s) => s.reason)).toEqual([expect.stringContaining('status pausing')]);
  });
});

describe('zero-ETL language', () => {
  it('fix-target-parameter without allow is refused at its place, saying which key permits it', () => {
    const problems = problemsOf(`version: 1
policies:
  - name: z
    resource: integration
    on: { events: [REDSHIFT-INTEGRATION-EVENT-1001] }
    do: [fix-target-parameter]
`);
    expect(problems).toEqual([
      expect.stringMatching(/^6:10 fix-target-parameter changes .*allow: \{ modifyTargetParameterGroup: true \}/),
    ]);
  });

  it('an alarm template for another resource type is refused', () => {
    const problems = problemsOf(`version: 1
policies:
  - name: z
    resource: integration
    on: { alarms: ["{cluster}-lag"] }
    do: [alert]
`);
    expect(problems).toEqual([expect.stringContaining('uses {cluster}; expected {integration}')]);
  });

  it('pause on an integration policy is refused', () => {
    expect(
      problemsOf(`version: 1
policies:
  - name: z
    resource: integration
    on: { severities: [ERROR] }
    do: [pause]
`),
    ).toEqual([expect.stringContaining('pause applies to resource: cluster')]);
  });
});
