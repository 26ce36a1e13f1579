import {
  DescribeStatementCommand,
  type DescribeStatementCommandOutput,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { classifyAwsError } from '../execute/classify-error.ts';
import { type ClientOptions, clientConfig, refreshingCredentials } from './client-factory.ts';

/**
 * The Redshift Data API as the failover drill's canary uses it (issue 16): one `ExecuteStatement` of a
 * `SYS_*` query against the cluster with the drill's secret, then `DescribeStatement` polled until the
 * statement ends. The canary is "the time to the first successful query" an application would feel, so
 * every answer is kept as AWS gave it (status, error text, the statement's own times); nothing is
 * retried here — the drill's watcher asks again on its next run. SDK errors are classified
 * (shared/execute/classify-error.ts) and thrown: the caller records what failed and why.
 */
export interface CanaryRequest {
  clusterIdentifier: string;
  database: string;
  secretArn: string;
  sql: string;
  /** Shown in the console's query list and in SYS_QUERY_HISTORY (`autopilot-drill-<cluster>`). */
  statementName: string;
  /** Idempotency token: the same token within AWS's window returns the same statement instead of a second one. */
  clientToken: string;
}

/** A statement's state, as DescribeStatement reports it. */
export interface CanaryStatement {
  id: string;
  /** SUBMITTED, PICKED, STARTED, FINISHED, FAILED, ABORTED. */
  status: string;
  error: string | null;
  /** ISO time AWS created the statement. */
  createdAt: string | null;
  /** ISO time of its last state change (for FINISHED: when the result was ready). */
  updatedAt: string | null;
}

export interface DataApiPort {
  execute(request: CanaryRequest): Promise<{ id: string }>;
  describe(id: string): Promise<CanaryStatement>;
}

/** The statuses after which a statement changes no more (./data-api-statements.ts). */
export { STATEMENT_ENDED } from './data-api-statements.ts';

const iso = (d: Date | undefined): string | null => (d instanceof Date ? d.toISOString() : null);

export function statementOf(
  out: Pick<DescribeStatementCommandOutput, 'Id' | 'Status' | 'Error' | 'CreatedAt' | 'UpdatedAt'>,
): CanaryStatement {
  return {
    id: out.Id ?? '',
    status: out.Status ?? 'UNKNOWN',
    error: out.Error ?? null,
    createdAt: iso(out.CreatedAt),
    updatedAt: iso(out.UpdatedAt),
  };
}

export class DataApiAdapter implements DataApiPort {
  readonly client: RedshiftDataClient;

  constructor(client: RedshiftDataClient) {
    this.client = client;
  }

  async execute(request: CanaryRequest): Promise<{ id: string }> {
    // Built explicitly: only what the drill's policy names reaches AWS.
    const input: ExecuteStatementCommandInput = {
      ClusterIdentifier: request.clusterIdentifier,
      Database: request.database,
      SecretArn: request.secretArn,
      Sql: request.sql,
      StatementName: request.statementName,
      ClientToken: request.clientToken,
    };
    try {
      const out = await this.client.send(new ExecuteStatementCommand(input));
      if (out.Id === undefined) throw new Error('ExecuteStatement answered without an Id');
      return { id: out.Id };
    } catch (error) {
      throw classifyAwsError(error, 'ExecuteStatement');
    }
  }

  async describe(id: string): Promise<CanaryStatement> {
    try {
      return statementOf(await this.client.send(new DescribeStatementCommand({ Id: id })));
    } catch (error) {
      throw classifyAwsError(error, 'DescribeStatement');
    }
  }
}

/**
 * The deployed Data API port: one RedshiftDataClient with the project's client settings (standard
 * retries, a refresh on ExpiredToken). Handed to `depsFromEnv` only by the function that runs the canary
 * (the drill watcher), so the other functions neither bundle the client nor need its IAM.
 */
export function createDataApi(options: ClientOptions): DataApiAdapter {
  return new DataApiAdapter(refreshingCredentials(new RedshiftDataClient(clientConfig(options))));
}
