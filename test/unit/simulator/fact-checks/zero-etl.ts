/** Checks of the parameter-group and zero-ETL integration rows of shared/simulator/facts.md. */
import {
  CreateIntegrationCommand,
  DeleteIntegrationCommand,
  DescribeClusterParametersCommand,
  DescribeClustersCommand,
  DescribeIntegrationsCommand,
  type Integration,
  IntegrationAlreadyExistsFault,
  ModifyClusterParameterGroupCommand,
  RebootClusterCommand,
  RedshiftServiceException,
} from '@aws-sdk/client-redshift';
import { expect } from 'vitest';
import { normalize } from '../../../../shared/events/normalize.ts';
import { INTEGRATION_CONDITIONS } from '../../../../shared/simulator/integration-faults.ts';
import { eventFixture, MINUTE, rejection, simulated } from '../harness.ts';
import type { FactCheck } from './support.ts';

const SOURCE = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-aurora';
const CASE = 'enable_case_sensitive_identifier';

type Sim = ReturnType<typeof simulated>;

/** A target on its own parameter group and one active integration into it. */
function withIntegration(groupValues: Record<string, string> = {}) {
  const s = simulated();
  s.sim.addCluster({ ClusterIdentifier: 'wh', NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
  s.sim.seedParameterGroup('zero-etl-target', groupValues, ['wh']);
  const integration = s.sim.addIntegration({
    IntegrationName: 'orders',
    SourceArn: SOURCE,
    targetClusterIdentifier: 'wh',
  });
  return { ...s, integration };
}

/** Integration events since the start: id, integrationStatus, minutes from `t0`. */
function integrationEvents(sim: Sim['sim'], t0: number) {
  return sim
    .emittedEvents()
    .filter((e) => e.kind === 'integration')
    .map((e) => ({
      id: e.eventId,
      status: (e.payload as { detail: { integrationStatus: string } }).detail.integrationStatus,
      minutes: (e.emittedAt.getTime() - t0) / MINUTE,
    }));
}

async function statusOf({ redshift }: Sim, name: string): Promise<Integration | undefined> {
  const out = await redshift.send(new DescribeIntegrationsCommand({}));
  return out.Integrations?.find((i) => i.IntegrationName === name);
}

async function parameter({ redshift }: Sim, name: string) {
  const out = await redshift.send(new DescribeClusterParametersCommand({ ParameterGroupName: 'zero-etl-target' }));
  return out.Parameters?.find((p) => p.ParameterName === name);
}

async function applyStatus({ redshift }: Sim) {
  const out = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'wh' }));
  return out.Clusters?.[0]?.ClusterParameterGroups?.[0]?.ParameterApplyStatus;
}

/** DeleteIntegration, wait for it to go, CreateIntegration with the same name, source and target. */
async function recreate(s: Sim, integration: Integration): Promise<Integration> {
  await s.redshift.send(new DeleteIntegrationCommand({ IntegrationArn: integration.IntegrationArn }));
  s.sim.clock.advanceBy(15 * MINUTE);
  const out = await s.redshift.send(
    new CreateIntegrationCommand({
      IntegrationName: integration.IntegrationName,
      SourceArn: integration.SourceArn,
      TargetArn: integration.TargetArn,
    }),
  );
  s.sim.clock.advanceBy(35 * MINUTE);
  return out;
}

export const zeroEtlChecks: Record<string, FactCheck> = {
  'parameter-group.static-until-reboot': async () => {
    const s = withIntegration();

    const out = await s.redshift.send(
      new ModifyClusterParameterGroupCommand({
        ParameterGroupName: 'zero-etl-target',
        Parameters: [{ ParameterName: CASE, ParameterValue: 'true' }],
      }),
    );
    const pending = {
      group: await parameter(s, CASE),
      apply: await applyStatus(s),
      runs: s.sim.effectiveParameter('wh', CASE),
    };
    await s.redshift.send(new RebootClusterCommand({ ClusterIdentifier: 'wh' }));
    const rebooting = s.sim.effectiveParameter('wh', CASE);
    s.sim.clock.advanceBy(10 * MINUTE);

    expect(out.ParameterGroupStatus).toMatch(
      /^Your parameter group has been updated\. .* when you reboot the associated clusters\.$/,
    );
    expect(pending).toEqual({
      group: expect.objectContaining({ ParameterValue: 'true', Source: 'user', ApplyType: 'static' }),
      apply: 'pending-reboot',
      runs: 'false',
    });
    expect(rebooting).toBe('false');
    const updated = s.sim.emittedEvents().find((e) => e.eventId === 'REDSHIFT-EVENT-1000');
    expect(normalize(updated?.payload)[0]).toMatchObject({
      eventId: 'REDSHIFT-EVENT-1000',
      resource: { type: 'parameter-group', id: 'zero-etl-target' },
    });
    expect(s.sim.getCluster('wh')?.ClusterStatus).toBe('available');
    expect(await applyStatus(s)).toBe('in-sync');
    expect(s.sim.effectiveParameter('wh', CASE)).toBe('true');
  },

  'parameter-group.default-not-editable': async () => {
    const { redshift } = simulated();

    const error = await rejection(
      redshift.send(
        new ModifyClusterParameterGroupCommand({
          ParameterGroupName: 'default.redshift-2.0',
          Parameters: [{ ParameterName: CASE, ParameterValue: 'true' }],
        }),
      ),
    );
    const missing = await rejection(
      redshift.send(new DescribeClusterParametersCommand({ ParameterGroupName: 'no-such-group' })),
    );

    expect(error).toBeInstanceOf(RedshiftServiceException);
    expect(error.name).toBe('InvalidParameterValue');
    expect(missing.name).toBe('ClusterParameterGroupNotFoundFault');
  },

  'parameter-group.case-sensitive-identifier': async () => {
    const s = withIntegration();

    const shown = await parameter(s, CASE);
    const refused = await rejection(
      s.redshift.send(
        new ModifyClusterParameterGroupCommand({
          ParameterGroupName: 'zero-etl-target',
          Parameters: [{ ParameterName: CASE, ParameterValue: 'yes' }],
        }),
      ),
    );

    expect(shown).toMatchObject({
      ParameterValue: 'false',
      DataType: 'boolean',
      AllowedValues: 'true,false',
      ApplyType: 'static',
    });
    expect(refused.name).toBe('InvalidParameterValue');
  },

  'integration.delete': async () => {
    const s = withIntegration();
    const t0 = s.sim.clock.nowMs();

    const out = await s.redshift.send(new DeleteIntegrationCommand({ IntegrationArn: s.integration.IntegrationArn }));
    const again = await rejection(
      s.redshift.send(new DeleteIntegrationCommand({ IntegrationArn: s.integration.IntegrationArn })),
    );
    s.sim.clock.advanceBy(15 * MINUTE);

    expect(out.Status).toBe('deleting');
    expect(again.name).toBe('IntegrationConflictStateFault');
    const events = integrationEvents(s.sim, t0);
    expect(events.map((e) => [e.id, e.status])).toEqual([
      ['REDSHIFT-INTEGRATION-EVENT-0002', 'DELETING'],
      ['REDSHIFT-INTEGRATION-EVENT-0001', 'DELETED'],
    ]);
    expect(events[1]?.minutes).toBeGreaterThanOrEqual(2);
    expect(await statusOf(s, 'orders')).toBeUndefined();
  },

  'integration.create-active': async () => {
    const s = withIntegration();
    const t0 = s.sim.clock.nowMs();
    const create = () =>
      s.redshift.send(
        new CreateIntegrationCommand({
          IntegrationName: 'orders',
          SourceArn: SOURCE,
          TargetArn: s.integration.TargetArn,
        }),
      );

    const clash = await rejection(create());
    await s.redshift.send(new DeleteIntegrationCommand({ IntegrationArn: s.integration.IntegrationArn }));
    const whileDeleting = await rejection(create());
    s.sim.clock.advanceBy(15 * MINUTE);
    const created = await create();
    const creating = await statusOf(s, 'orders');
    s.sim.clock.advanceBy(35 * MINUTE);

    expect(clash).toBeInstanceOf(IntegrationAlreadyExistsFault);
    expect(whileDeleting).toBeInstanceOf(IntegrationAlreadyExistsFault);
    expect(creating?.Status).toBe('creating');
    expect(created.IntegrationArn).not.toBe(s.integration.IntegrationArn);
    expect(await statusOf(s, 'orders')).toMatchObject({
      Status: 'active',
      SourceArn: SOURCE,
      TargetArn: s.integration.TargetArn,
    });
    expect(integrationEvents(s.sim, t0).at(-1)).toMatchObject({
      id: 'REDSHIFT-INTEGRATION-EVENT-0000',
      status: 'ACTIVE',
    });
  },

  'integration.recreate-fixes-internal-errors': async () => {
    for (const eventId of ['0006', '0007', '0012', '0014'].map((n) => `REDSHIFT-INTEGRATION-EVENT-${n}`)) {
      const s = withIntegration();
      s.sim.injectIntegrationFault({ integration: 'orders', eventId });
      s.sim.clock.advanceBy(MINUTE);
      const broken = await statusOf(s, 'orders');

      await recreate(s, s.integration);

      expect(broken?.Status, eventId).toBe('failed');
      expect(integrationEvents(s.sim, 0)[0], eventId).toMatchObject({ id: eventId, status: 'FAILED' });
      expect((await statusOf(s, 'orders'))?.Status, eventId).toBe('active');
    }
  },

  'integration.source-conditions-persist': async () => {
    for (const eventId of ['0008', '0009', '1000', '1002', '1003', '1004', '1005'].map(
      (n) => `REDSHIFT-INTEGRATION-EVENT-${n}`,
    )) {
      const s = withIntegration();
      s.sim.injectIntegrationFault({ integration: 'orders', eventId });
      s.sim.clock.advanceBy(MINUTE);

      const second = await recreate(s, s.integration);
      const again = await statusOf(s, 'orders');
      s.sim.fixIntegrationSource(SOURCE);
      await recreate(s, second);

      expect(again?.Status, eventId).toBe('failed');
      expect(
        integrationEvents(s.sim, 0)
          .map((e) => e.id)
          .filter((id) => id === eventId),
        eventId,
      ).toHaveLength(2);
      expect((await statusOf(s, 'orders'))?.Status, eventId).toBe('active');
    }
  },

  'integration.case-sensitivity-on-target': async () => {
    const s = withIntegration();
    const id = 'REDSHIFT-INTEGRATION-EVENT-1001';
    s.sim.injectIntegrationFault({ integration: 'orders', eventId: id });
    s.sim.clock.advanceBy(MINUTE);

    const second = await recreate(s, s.integration);
    const beforeFix = await statusOf(s, 'orders');
    await s.redshift.send(
      new ModifyClusterParameterGroupCommand({
        ParameterGroupName: 'zero-etl-target',
        Parameters: [{ ParameterName: CASE, ParameterValue: 'true' }],
      }),
    );
    const third = await recreate(s, second);
    const withoutReboot = await statusOf(s, 'orders');
    await s.redshift.send(new RebootClusterCommand({ ClusterIdentifier: 'wh' }));
    s.sim.clock.advanceBy(10 * MINUTE);
    await recreate(s, third);

    expect(beforeFix?.Status).toBe('failed');
    expect(withoutReboot?.Status).toBe('failed');
    expect(integrationEvents(s.sim, 0).filter((e) => e.id === id)).toHaveLength(3);
    expect((await statusOf(s, 'orders'))?.Status).toBe('active');
  },

  'integration.tables-skipped-warnings': async () => {
    const s = withIntegration();
    const t0 = s.sim.clock.nowMs();
    s.sim.injectIntegrationFault({
      integration: 'orders',
      eventId: 'REDSHIFT-INTEGRATION-EVENT-0004',
      repeat: { count: 100, everyMs: 36_000 },
    });
    s.sim.injectIntegrationFault({
      integration: 'orders',
      eventId: 'REDSHIFT-INTEGRATION-EVENT-0005',
      at: t0 + 30 * MINUTE,
    });
    s.sim.clock.advanceBy(61 * MINUTE);

    const events = integrationEvents(s.sim, t0);
    const storm = events.filter((e) => e.id === 'REDSHIFT-INTEGRATION-EVENT-0004');
    expect(storm).toHaveLength(100);
    expect(storm.at(-1)?.minutes).toBeLessThan(60);
    expect(new Set(events.map((e) => e.status))).toEqual(new Set(['NEEDS_ATTENTION']));
    expect(events.filter((e) => e.id === 'REDSHIFT-INTEGRATION-EVENT-0005')).toHaveLength(1);
    expect((await statusOf(s, 'orders'))?.Status).toBe('needs_attention');
  },

  'integration.eventbridge-envelope': async () => {
    const captured = eventFixture<{ source: string; detail: object }>(
      'eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json',
    );
    const s = withIntegration();
    const ids = Object.keys(INTEGRATION_CONDITIONS);
    for (const eventId of ids) s.sim.injectIntegrationFault({ integration: 'orders', eventId });
    s.sim.clock.advanceBy(MINUTE);

    const emitted = s.sim.emittedEvents().filter((e) => e.kind === 'integration');
    expect(emitted.map((e) => e.eventId)).toEqual(ids);
    for (const e of emitted) {
      const payload = e.payload as { source: string; 'detail-type': string; resources: string[]; detail: object };
      expect(Object.keys(payload.detail).sort(), e.eventId).toEqual(Object.keys(captured.detail).sort());
      expect(payload.source).toBe(captured.source);
      expect(payload['detail-type']).toMatch(/^Redshift Integration (Monitoring|Operation|Configuration)$/);
      expect(payload.resources).toEqual([s.integration.IntegrationArn]);
      const [normalized] = normalize(payload);
      expect(normalized, e.eventId).toMatchObject({
        kind: 'integration-event',
        eventId: e.eventId,
        known: true,
        resource: { type: 'integration', arn: s.integration.IntegrationArn },
      });
    }
  },
};
