/**
 * The simulated Redshift Data API through a real RedshiftDataClient: validation, the SDK's exception
 * classes, idempotent ClientToken, a cluster that does not serve, statements without a result set.
 */
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  RedshiftDataServiceException,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { describe, expect, it } from 'vitest';
import { addMultiAz, SECRET, withDataApi } from './fact-checks/failover.ts';
import { rejection } from './harness.ts';

const exec = (over: Record<string, unknown>) =>
  new ExecuteStatementCommand({
    ClusterIdentifier: 'maz',
    Database: 'dev',
    SecretArn: SECRET,
    Sql: 'select 1',
    ...over,
  });

describe('simulated Redshift Data API', () => {
  it('refuses a request without SQL, target or credentials with the SDK ValidationException', async () => {
    const { sim, data } = withDataApi();
    addMultiAz(sim);

    const noSql = await rejection(data.send(exec({ Sql: '' })));
    const noTarget = await rejection(data.send(exec({ ClusterIdentifier: undefined })));
    const noAuth = await rejection(data.send(exec({ SecretArn: undefined })));

    for (const error of [noSql, noTarget, noAuth]) {
      expect(error).toBeInstanceOf(ValidationException);
      expect(error).toBeInstanceOf(RedshiftDataServiceException);
      expect(error).toMatchObject({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    }
    expect(noAuth.message).toMatch(/SecretArn or DbUser/);
  });

  it('answers the same statement for the same ClientToken', async () => {
    const { sim, data } = withDataApi();
    addMultiAz(sim);

    const first = await data.send(exec({ ClientToken: 'drill-maz-1' }));
    sim.clock.advanceBy(60_000);
    const again = await data.send(exec({ ClientToken: 'drill-maz-1' }));
    const other = await data.send(exec({ ClientToken: 'drill-maz-2' }));

    expect(again.Id).toBe(first.Id);
    expect(again.CreatedAt).toEqual(first.CreatedAt);
    expect(other.Id).not.toBe(first.Id);
  });

  it('fails statements on a paused cluster, and has no result for a statement without a result set', async () => {
    const { sim, data } = withDataApi();
    addMultiAz(sim);
    sim.addCluster({ ClusterIdentifier: 'asleep', ClusterStatus: 'paused' });

    const paused = await data.send(exec({ ClusterIdentifier: 'asleep' }));
    const ddl = await data.send(exec({ Sql: 'create table t (a int)' }));
    sim.clock.advanceBy(5_000);

    const pausedState = await data.send(new DescribeStatementCommand({ Id: paused.Id }));
    expect(pausedState).toMatchObject({ Status: 'FAILED', Error: 'could not connect to cluster asleep: it is paused' });
    expect(await data.send(new DescribeStatementCommand({ Id: ddl.Id }))).toMatchObject({
      Status: 'FINISHED',
      HasResultSet: false,
      ResultRows: 0,
    });
    expect(await rejection(data.send(new GetStatementResultCommand({ Id: ddl.Id })))).toBeInstanceOf(
      ValidationException,
    );
  });

  it('names a Data API command it does not implement, and counts the ones it does', async () => {
    const { sim, data } = withDataApi();
    addMultiAz(sim);
    await data.send(exec({}));

    const error = await rejection(data.send(new ListStatementsCommand({})));

    expect(error.message).toBe('The Redshift simulator does not implement RedshiftDataClient ListStatementsCommand');
    expect(sim.callCounts()).toMatchObject({ ExecuteStatement: 1, ListStatements: 1 });
  });
});
