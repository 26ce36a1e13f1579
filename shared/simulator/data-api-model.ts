/**
 * A minimal Redshift Data API for provisioned clusters (what a failover drill's canary needs):
 * ExecuteStatement (ClusterIdentifier, Database, SecretArn or DbUser, Sql), DescribeStatement and
 * GetStatementResult, behind a real `RedshiftDataClient` (see sdk-attach.ts).
 *
 * A statement's life is computed when it is read, from its submit time and the cluster's failovers
 * (failover-model.ts), so nothing is scheduled: SUBMITTED while it waits for a connection, STARTED
 * while it runs, then FINISHED or FAILED. Per the guide (L4826) a failover accepts new connections
 * at once and may drop existing ones: a statement submitted during a failover's connection blip
 * (`durations.failoverConnectionBlip`, seconds) waits until it ends, one submitted before the failover
 * and still queued or running when it starts FAILS with the dropped-connection error.
 *
 * Where AWS's behaviour or wording is not documented the choice is named in shared/simulator/facts.md
 * (rows data-api.*) and next to the code.
 */
import type { Cluster } from '@aws-sdk/client-redshift';
import {
  type DescribeStatementRequest,
  type ExecuteStatementInput,
  type Field,
  type GetStatementResultRequest,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { availabilityOf } from './cluster-model.ts';
import type { ClusterRegistry } from './cluster-registry.ts';
import type { FailoverModel } from './failover-model.ts';
import { Prng } from './prng.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';

/** A Secrets Manager secret the Data API may use: its ARN, its name, the database user in it. */
export interface DataApiSecret {
  arn: string;
  username?: string;
}

/**
 * The Error of a statement whose connection dropped in a failover: libpq's text for a server that
 * closed the connection (Redshift speaks the PostgreSQL protocol). Not captured from a real failover.
 */
export const DROPPED_CONNECTION_ERROR =
  'server closed the connection unexpectedly. This probably means the server terminated abnormally before or while processing the request.';

/**
 * Monitoring views a Multi-AZ cluster does not offer (only SYS_* work, guide L4531–4563). The error
 * is PostgreSQL's for a relation that does not exist, as the Data API reports SQL errors; the guide
 * does not give the error a real cluster answers (GAP).
 */
const NON_SYS_VIEW = /\b(stl|stv|svl|svv|svcs)_[a-z0-9_]+/i;

export const relationMissingError = (relation: string) => `ERROR: relation "${relation}" does not exist`;

/** What Redshift answers for a database the cluster does not have (PostgreSQL's FATAL text). */
export const databaseMissingError = (db: string) => `FATAL: database "${db}" does not exist`;

const QUEUE_MS: readonly [number, number] = [50, 500];
const RUN_MS: readonly [number, number] = [100, 1_500];

interface StatementRecord {
  id: string;
  clusterIdentifier: string;
  database: string;
  secretArn?: string;
  dbUser?: string;
  sql: string;
  createdAtMs: number;
  queueMs: number;
  runMs: number;
  hasResultSet: boolean;
  pid: number;
  queryId: number;
  /** A failure known at submit time (wrong database, non-SYS view, cluster not serving). */
  error?: string;
  /** Failure at start (the connection) rather than at the end of the run (the SQL). */
  failsAtStart?: boolean;
}

interface StatementState {
  status: 'SUBMITTED' | 'STARTED' | 'FINISHED' | 'FAILED';
  updatedAtMs: number;
  startedAtMs?: number;
  endedAtMs?: number;
  error?: string;
}

type Metadata = { httpStatusCode: number; requestId: string; attempts: number; totalRetryDelay: number };

export class DataApiModel {
  readonly handlers: Record<string, Handler>;
  private readonly secrets = new Map<string, DataApiSecret>();
  private readonly statements = new Map<string, StatementRecord>();
  /** ClientToken → statement id: the same token answers the same statement (no expiry: the simulator's choice). */
  private readonly tokens = new Map<string, string>();
  private readonly rng: Prng;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
    private readonly failover: FailoverModel,
  ) {
    this.rng = new Prng(`${ctx.seed}/data-api`);
    this.handlers = {
      ExecuteStatement: (i: ExecuteStatementInput) => this.executeStatement(i),
      DescribeStatement: (i: DescribeStatementRequest) => this.describeStatement(i),
      GetStatementResult: (i: GetStatementResultRequest) => this.getStatementResult(i),
    };
  }

  /** Make a secret known (by its ARN and by its name, as the Data API takes either). */
  addSecret(secret: DataApiSecret): void {
    this.secrets.set(secret.arn, secret);
    const name = /:secret:(.+)$/.exec(secret.arn)?.[1];
    if (name !== undefined) {
      this.secrets.set(name, secret);
      // A real ARN ends in -XXXXXX (six random characters) after the name: the name alone finds it too.
      const bare = /^(.+)-[A-Za-z0-9]{6}$/.exec(name)?.[1];
      if (bare !== undefined) this.secrets.set(bare, secret);
    }
  }

  private metadata(status: number): Metadata {
    return { httpStatusCode: status, requestId: this.ctx.requestId(), attempts: 1, totalRetryDelay: 0 };
  }

  private validation(message: string): never {
    throw new ValidationException({ message, Message: message, $metadata: this.metadata(400) } as never);
  }

  private notFound(message: string, resourceId: string): never {
    throw new ResourceNotFoundException({
      message,
      Message: message,
      ResourceId: resourceId,
      $metadata: this.metadata(404),
    } as never);
  }

  executeStatement(input: ExecuteStatementInput) {
    const again = input.ClientToken === undefined ? undefined : this.tokens.get(input.ClientToken);
    if (again !== undefined) return this.executeOutput(this.statements.get(again) as StatementRecord);
    if (input.Sql === undefined || input.Sql.trim() === '')
      this.validation(
        "1 validation error detected: Value null at 'sql' failed to satisfy constraint: Member must not be null",
      );
    if (input.WorkgroupName !== undefined)
      throw new Error('The Redshift simulator does not implement the Data API on Serverless workgroups');
    if (input.ClusterIdentifier === undefined)
      this.validation('Either ClusterIdentifier or WorkgroupName must be specified.');
    // The text AWS answers for a cluster it can't find (aws/aws-cdk#30536).
    const rec = this.clusters.get(input.ClusterIdentifier);
    if (rec === undefined) this.validation("Redshift endpoint doesn't exist in this region.");
    const secret = this.authenticate(input);
    const database = input.Database as string;
    const now = this.ctx.clock.nowMs();
    const stmt: StatementRecord = {
      id: this.rng.uuid(),
      clusterIdentifier: input.ClusterIdentifier,
      database,
      ...(secret === undefined ? {} : { secretArn: input.SecretArn as string }),
      ...(input.DbUser === undefined ? {} : { dbUser: input.DbUser }),
      sql: input.Sql as string,
      createdAtMs: now,
      queueMs: this.rng.int(...QUEUE_MS),
      runMs: this.rng.int(...RUN_MS),
      hasResultSet: /^\s*(select|with|show|values)\b/i.test(input.Sql as string),
      pid: this.rng.int(1_073_741_824, 1_073_999_999),
      queryId: this.rng.int(100_000, 9_999_999),
      ...this.knownFailure(rec.view, database, input.Sql as string),
    };
    this.statements.set(stmt.id, stmt);
    if (input.ClientToken !== undefined) this.tokens.set(input.ClientToken, stmt.id);
    return this.executeOutput(stmt);
  }

  private executeOutput(stmt: StatementRecord) {
    return {
      Id: stmt.id,
      CreatedAt: new Date(stmt.createdAtMs),
      ClusterIdentifier: stmt.clusterIdentifier,
      Database: stmt.database,
      ...(stmt.secretArn === undefined ? {} : { SecretArn: stmt.secretArn }),
      ...(stmt.dbUser === undefined ? {} : { DbUser: stmt.dbUser }),
    };
  }

  /**
   * SecretArn (with Database) or DbUser (temporary credentials) — one of them is needed. An unknown
   * secret is a ResourceNotFoundException naming it, with Secrets Manager's own wording (the Data API
   * reference does not give the message).
   */
  private authenticate(input: ExecuteStatementInput): DataApiSecret | undefined {
    if (input.SecretArn === undefined && input.DbUser === undefined)
      this.validation('Either SecretArn or DbUser must be specified when connecting to a cluster.');
    if (input.Database === undefined || input.Database === '')
      this.validation(
        "1 validation error detected: Value null at 'database' failed to satisfy constraint: Member must not be null",
      );
    if (input.SecretArn === undefined) return undefined;
    const secret = this.secrets.get(input.SecretArn);
    if (secret === undefined) this.notFound("Secrets Manager can't find the specified secret.", input.SecretArn);
    return secret;
  }

  /** Failures decided at submit time: the cluster not serving, a database it lacks, a non-SYS view on Multi-AZ. */
  private knownFailure(view: Cluster, database: string, sql: string): Pick<StatementRecord, 'error' | 'failsAtStart'> {
    const status = view.ClusterStatus ?? '';
    const serving = ['Available', 'Modifying'].includes(availabilityOf(status));
    if (!serving)
      return { error: `could not connect to cluster ${view.ClusterIdentifier}: it is ${status}`, failsAtStart: true };
    if (database !== view.DBName) return { error: databaseMissingError(database), failsAtStart: true };
    const view_ = view.MultiAZ === 'Enabled' ? NON_SYS_VIEW.exec(sql)?.[0] : undefined;
    if (view_ !== undefined) return { error: relationMissingError(view_.toLowerCase()) };
    return {};
  }

  /** The statement's state now, from its submit time and the cluster's failovers (see the file comment). */
  private stateOf(stmt: StatementRecord): StatementState {
    const now = this.ctx.clock.nowMs();
    let start = stmt.createdAtMs + stmt.queueMs;
    for (const run of this.failover.runsOf(stmt.clusterIdentifier)) {
      const end = stmt.failsAtStart === true ? start : start + stmt.runMs;
      if (stmt.createdAtMs < run.startedAtMs && run.startedAtMs < end) {
        return this.at(now, stmt, { start, failedAt: run.startedAtMs, error: DROPPED_CONNECTION_ERROR });
      }
      if (run.startedAtMs <= stmt.createdAtMs && stmt.createdAtMs < run.connectionsBackAtMs)
        start = Math.max(start, run.connectionsBackAtMs + stmt.queueMs);
    }
    if (stmt.error !== undefined) {
      const failedAt = stmt.failsAtStart === true ? start : start + stmt.runMs;
      return this.at(now, stmt, { start, failedAt, error: stmt.error });
    }
    return this.at(now, stmt, { start });
  }

  private at(
    now: number,
    stmt: StatementRecord,
    t: { start: number; failedAt?: number; error?: string },
  ): StatementState {
    const end = t.failedAt ?? t.start + stmt.runMs;
    if (now >= end) {
      const failed = t.failedAt !== undefined;
      return {
        status: failed ? 'FAILED' : 'FINISHED',
        updatedAtMs: end,
        ...(t.start <= end ? { startedAtMs: t.start } : {}),
        endedAtMs: end,
        ...(failed ? { error: t.error as string } : {}),
      };
    }
    if (now >= t.start) return { status: 'STARTED', updatedAtMs: t.start, startedAtMs: t.start };
    return { status: 'SUBMITTED', updatedAtMs: stmt.createdAtMs };
  }

  private mustGet(id: string | undefined): StatementRecord {
    const stmt = this.statements.get(id ?? '');
    // The simulator's wording: the Data API reference documents the exception, not its message.
    if (stmt === undefined) this.notFound('Query does not exist.', id ?? '');
    return stmt;
  }

  describeStatement(input: DescribeStatementRequest) {
    const stmt = this.mustGet(input.Id);
    const state = this.stateOf(stmt);
    const done = state.status === 'FINISHED';
    const ran = state.startedAtMs !== undefined && state.endedAtMs !== undefined;
    return {
      Id: stmt.id,
      ...(stmt.secretArn === undefined ? {} : { SecretArn: stmt.secretArn }),
      ...(stmt.dbUser === undefined ? {} : { DbUser: stmt.dbUser }),
      Database: stmt.database,
      ClusterIdentifier: stmt.clusterIdentifier,
      Duration: ran ? ((state.endedAtMs as number) - (state.startedAtMs as number)) * 1_000_000 : -1,
      ...(state.error === undefined ? {} : { Error: state.error }),
      Status: state.status,
      CreatedAt: new Date(stmt.createdAtMs),
      UpdatedAt: new Date(state.updatedAtMs),
      RedshiftPid: state.startedAtMs === undefined ? 0 : stmt.pid,
      HasResultSet: stmt.hasResultSet,
      QueryString: stmt.sql,
      ResultRows: done ? (stmt.hasResultSet ? 1 : 0) : -1,
      ResultSize: done ? (stmt.hasResultSet ? 16 : 0) : -1,
      RedshiftQueryId: state.startedAtMs === undefined ? 0 : stmt.queryId,
      ResultFormat: 'JSON',
    };
  }

  /**
   * One row of one column: the simulator runs no SQL. `count(...)` queries answer a count (int8),
   * others `?column?` = 1 (int4). A statement not FINISHED, or without a result set, has no result:
   * a ValidationException (the message is the simulator's).
   */
  getStatementResult(input: GetStatementResultRequest) {
    const stmt = this.mustGet(input.Id);
    const state = this.stateOf(stmt);
    if (state.status !== 'FINISHED') this.validation(`Query has not finished: its status is ${state.status}.`);
    if (!stmt.hasResultSet)
      this.validation('Query does not have result. Please check query status with DescribeStatement.');
    const count = /\bcount\s*\(/i.test(stmt.sql);
    const name = count ? 'count' : '?column?';
    const record: Field[] = [{ longValue: count ? 1 + (stmt.queryId % 500) : 1 }];
    return {
      Records: [record],
      ColumnMetadata: [
        {
          isCaseSensitive: false,
          isCurrency: false,
          isSigned: true,
          label: name,
          length: 0,
          name,
          nullable: 1,
          precision: count ? 19 : 10,
          scale: 0,
          schemaName: '',
          tableName: '',
          typeName: count ? 'int8' : 'int4',
        },
      ],
      TotalNumRows: 1,
    };
  }
}
