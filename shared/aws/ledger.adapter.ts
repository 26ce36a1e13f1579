import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  paginateQuery,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { claimOutcome, expiresAt, LEDGER_TTL } from '../execute/ledger-rules.ts';
import type {
  BatchWritingLedger,
  ClaimResult,
  LedgerPort,
  LedgerRecord,
  LedgerWrite,
  LedgerWriteResult,
} from '../execute/ports.ts';
import type { TargetRef } from '../policy/decision.ts';
import { targetScope } from '../policy/key-scope.ts';

/**
 * The ledger in DynamoDB (one on-demand table, key pk/sk strings, TTL attribute `expiresAt`).
 *
 * Items:
 * - `pk = action#<idempotencyKey>`, `sk = record`: one per decision. The attributes the conditions
 *   read (`status`, `retryable`, `leaseUntil`, `claimToken`) are top-level; the whole record is in
 *   `body` (JSON) so the schema can grow without migrations.
 * - In-flight operations: a record `in-progress` carries `inflightPk = inflight` and `inflightSk =
 *   <type>#<id>#<key>`, the keys of the sparse global secondary index `inflight` (LEDGER_TABLE), so a
 *   reconcile tick finds them with one Query and the record's own write puts it in and takes it out of
 *   the index (issue 19: no second item to write and delete per action). Items `pk = inflight` written
 *   by earlier versions are still read until their TTL passes.
 * - `pk = budget#<policy>`, `sk = <run>`: the `maxResources` counter of one policy run.
 * - `pk = latest#<type>#<id>`, `sk = <stateKey>`: the due time of the newest decision that set
 *   that property of the resource, so a late, older decision cannot undo a newer one.
 */
export const LEDGER_KEYS = {
  record: (key: string) => ({ pk: `action#${key}`, sk: 'record' }),
  inflightPk: 'inflight',
  inflight: (r: Pick<LedgerRecord, 'target' | 'idempotencyKey'>) => ({
    pk: 'inflight',
    sk: `${r.target.type}#${r.target.id}#${r.idempotencyKey}`,
  }),
  budget: (policy: string, runKey: string) => ({ pk: `budget#${policy}`, sk: runKey }),
  // Per location for a hub's other targets (one name in two accounts); single-account keys unchanged.
  latest: (target: TargetRef, stateKey: string) => {
    const scope = targetScope(target);
    return { pk: `latest#${target.type}#${target.id}${scope === null ? '' : `#${scope}`}`, sk: stateKey };
  },
  notice: (topic: string) => ({ pk: `notice#${topic}`, sk: 'notice' }),
  inflightIndex: 'inflight',
} as const;

/**
 * The table as infra/acting.yml declares it (the template test compares them; tests and the bench
 * create it in moto from here).
 */
export const LEDGER_TABLE: Required<
  Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema' | 'GlobalSecondaryIndexes'>
> = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'inflightPk', AttributeType: 'S' },
    { AttributeName: 'inflightSk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'inflight',
      KeySchema: [
        { AttributeName: 'inflightPk', KeyType: 'HASH' },
        { AttributeName: 'inflightSk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
};

/** TransactWriteItems takes at most 100 actions. */
const TRANSACT_MAX = 100;

/** BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_MAX = 100;

const S = (value: string): AttributeValue => ({ S: value });

function key(k: { pk: string; sk: string }): Record<string, AttributeValue> {
  return { pk: S(k.pk), sk: S(k.sk) };
}

function toItem(record: LedgerRecord, now: Date): Record<string, AttributeValue> {
  return {
    ...key(LEDGER_KEYS.record(record.idempotencyKey)),
    status: S(record.status),
    retryable: { BOOL: record.retryable },
    leaseUntil: S(record.leaseUntil),
    claimToken: S(record.claimToken),
    policy: S(record.policy),
    action: S(record.action),
    target: S(`${record.target.type}/${record.target.id}`),
    updatedAt: S(record.updatedAt),
    body: S(JSON.stringify(record)),
    expiresAt: { N: String(expiresAt(now, LEDGER_TTL.recordDays)) },
    ...(record.status === 'in-progress'
      ? { inflightPk: S(LEDGER_KEYS.inflightPk), inflightSk: S(LEDGER_KEYS.inflight(record).sk) }
      : {}),
  };
}

function fromItem(item: Record<string, AttributeValue> | undefined): LedgerRecord | null {
  const body = item?.body?.S;
  return body === undefined ? null : (JSON.parse(body) as LedgerRecord);
}

export class DynamoLedger implements LedgerPort, BatchWritingLedger {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(client: DynamoDBClient, tableName: string, now: () => Date = () => new Date()) {
    this.#client = client;
    this.#table = tableName;
    this.#now = now;
  }

  async claim(record: LedgerRecord, now: Date): Promise<ClaimResult> {
    try {
      const out = await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: toItem(record, now),
          // Same rule as ledger-rules.ts `claimable`.
          ConditionExpression:
            'attribute_not_exists(pk) OR ((#status = :failed OR #status = :skipped) AND retryable = :true) OR (#status = :pending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':failed': S('failed'),
            ':skipped': S('skipped'),
            ':pending': S('pending'),
            ':true': { BOOL: true },
            ':now': S(now.toISOString()),
          },
          ReturnValues: 'ALL_OLD',
          // A failed condition answers with the item it failed on, in the same call.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'claimed', record, previous: fromItem(out.Attributes) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Our own token means the first attempt committed and the SDK retried it: the claim is ours.
      const returned = fromItem((error as { Item?: Record<string, AttributeValue> }).Item);
      const existing = returned ?? (await this.get(record.idempotencyKey));
      return claimOutcome(existing, record, now);
    }
  }

  /** The outcome, only for the holder of the claim token; the in-flight index follows the record's status. */
  async save(record: LedgerRecord): Promise<boolean> {
    try {
      await this.#client.send(new PutItemCommand(this.#saveInput(record)));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  #saveInput(record: LedgerRecord): PutItemCommandInput {
    return {
      TableName: this.#table,
      Item: toItem(record, this.#now()),
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: { ':token': S(record.claimToken) },
    };
  }

  /**
   * Several outcomes and latest marks in one TransactWriteItems (issue 19). A transaction is all or
   * nothing: when some conditions fail, those writes are answered as their single form (false, or the
   * newer decision's time from the item the failure returns) and the rest go again. Any other refusal
   * (a conflict with another transaction, throttling) sends the remaining writes one by one. The SDK
   * fills ClientRequestToken, so its retry of a request whose answer was lost is not applied twice.
   */
  async writeMany(writes: readonly LedgerWrite[]): Promise<LedgerWriteResult[]> {
    const results: (LedgerWriteResult | undefined)[] = writes.map(() => undefined);
    let remaining = writes.map((_, i) => i);
    for (let round = 0; remaining.length > 1 && remaining.length <= TRANSACT_MAX && round < 3; round += 1) {
      const sent = remaining;
      const reasons = await this.#transact(sent.map((i) => writes[i] as LedgerWrite));
      if (reasons === 'done') {
        for (const i of sent)
          results[i] = { ok: true, value: (writes[i] as LedgerWrite).kind === 'save' ? true : null };
        remaining = [];
      } else if (reasons === null) break;
      else {
        remaining = [];
        sent.forEach((i, j) => {
          const reason = reasons[j];
          const write = writes[i] as LedgerWrite;
          if (reason?.Code !== 'ConditionalCheckFailed') remaining.push(i);
          else
            results[i] = { ok: true, value: write.kind === 'save' ? false : (reason.Item?.decisionAt?.S ?? 'unknown') };
        });
      }
    }
    await Promise.all(
      remaining.map(async (i) => {
        const write = writes[i] as LedgerWrite;
        try {
          const value =
            write.kind === 'save'
              ? await this.save(write.record)
              : await this.markLatest(write.target, write.stateKey, write.at, write.idempotencyKey);
          results[i] = { ok: true, value };
        } catch (error) {
          results[i] = { ok: false, error };
        }
      }),
    );
    return results as LedgerWriteResult[];
  }

  /** 'done', the per-write reasons of a cancellation that includes a failed condition, or null (go one by one). */
  async #transact(
    writes: readonly LedgerWrite[],
  ): Promise<'done' | { Code?: string; Item?: Record<string, AttributeValue> }[] | null> {
    const items = writes.map((w) =>
      w.kind === 'save'
        ? { Put: { ...this.#saveInput(w.record), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } }
        : {
            Update: {
              ...this.#latestInput(w.target, w.stateKey, w.at, w.idempotencyKey),
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
            },
          },
    );
    try {
      await this.#client.send(new TransactWriteItemsCommand({ TransactItems: items as never }));
      return 'done';
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] })
        .CancellationReasons;
      const conditional = reasons?.some((r) => r.Code === 'ConditionalCheckFailed') === true;
      return conditional && reasons?.length === writes.length ? reasons : null;
    }
  }

  async get(idempotencyKey: string): Promise<LedgerRecord | null> {
    const out = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: key(LEDGER_KEYS.record(idempotencyKey)),
        ConsistentRead: true,
      }),
    );
    return fromItem(out.Item);
  }

  async getMany(idempotencyKeys: readonly string[]): Promise<LedgerRecord[]> {
    const unique = [...new Set(idempotencyKeys)];
    const found: LedgerRecord[] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
      let keys: Record<string, AttributeValue>[] | undefined = unique
        .slice(i, i + BATCH_GET_MAX)
        .map((k) => key(LEDGER_KEYS.record(k)));
      // UnprocessedKeys come back under load; ask again (the SDK's retry already backs off per call).
      for (let round = 0; keys !== undefined && keys.length > 0 && round < 5; round += 1) {
        const out: BatchGetItemCommandOutput = await this.#client.send(
          new BatchGetItemCommand({ RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[this.#table] ?? []) {
          const record = fromItem(item);
          if (record !== null) found.push(record);
        }
        keys = out.UnprocessedKeys?.[this.#table]?.Keys;
      }
    }
    return found;
  }

  async listInFlight(): Promise<LedgerRecord[]> {
    const keys = new Set<string>();
    const index = paginateQuery(
      { client: this.#client },
      {
        TableName: this.#table,
        IndexName: LEDGER_KEYS.inflightIndex,
        KeyConditionExpression: 'inflightPk = :pk',
        ExpressionAttributeValues: { ':pk': S(LEDGER_KEYS.inflightPk) },
      },
    );
    for await (const page of index) {
      for (const item of page.Items ?? []) {
        const pk = item.pk?.S;
        if (pk?.startsWith('action#') === true) keys.add(pk.slice('action#'.length));
      }
    }
    // Index items of earlier versions (pk = inflight), until their TTL passes.
    const legacy = paginateQuery(
      { client: this.#client },
      {
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': S(LEDGER_KEYS.inflightPk) },
        ProjectionExpression: 'idempotencyKey',
      },
    );
    for await (const page of legacy) {
      for (const item of page.Items ?? []) if (item.idempotencyKey?.S !== undefined) keys.add(item.idempotencyKey.S);
    }
    // The index is eventually consistent; the record (read consistently) is the truth.
    const current = await this.getMany([...keys]);
    return current.filter((r) => r.status === 'in-progress');
  }

  /** One conditional write: the first caller in the window sets `until`; the others fail the condition. */
  async firstNotice(topic: string, now: Date, windowMs: number): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...key(LEDGER_KEYS.notice(topic)),
            until: { N: String(now.getTime() + windowMs) },
            expiresAt: { N: String(Math.ceil((now.getTime() + windowMs) / 1000) + 86_400) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #until <= :now',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': { N: String(now.getTime()) } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markLatest(target: TargetRef, stateKey: string, at: string, idempotencyKey: string): Promise<string | null> {
    const input = this.#latestInput(target, stateKey, at, idempotencyKey);
    try {
      await this.#client.send(new UpdateItemCommand(input));
      return null;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: input.Key, ConsistentRead: true }),
      );
      return out.Item?.decisionAt?.S ?? 'unknown';
    }
  }

  #latestInput(target: TargetRef, stateKey: string, at: string, idempotencyKey: string) {
    return {
      TableName: this.#table,
      Key: key(LEDGER_KEYS.latest(target, stateKey)),
      UpdateExpression: 'SET decisionAt = :at, idempotencyKey = :key, expiresAt = :ttl',
      ConditionExpression: 'attribute_not_exists(decisionAt) OR decisionAt <= :at',
      ExpressionAttributeValues: {
        ':at': S(at),
        ':key': S(idempotencyKey),
        ':ttl': { N: String(expiresAt(this.#now(), LEDGER_TTL.recordDays)) },
      },
    } satisfies UpdateItemCommandInput;
  }

  /**
   * One item per (policy, run): `used` counts, and each key's position is kept in an attribute named
   * after the key, set in the same update from the old `used` (DynamoDB evaluates every right-hand side
   * on the item as it was). The condition makes a repeated request — the SDK retrying a write whose
   * answer was lost, a redelivered message — read its position back instead of counting twice.
   */
  async takeBudgetSlot(policy: string, runKey: string, now: Date, idempotencyKey: string): Promise<number> {
    const k = key(LEDGER_KEYS.budget(policy, runKey));
    const names = { '#slot': budgetAttribute(idempotencyKey) };
    try {
      const out = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: k,
          UpdateExpression:
            'SET used = if_not_exists(used, :zero) + :one, #slot = if_not_exists(used, :zero) + :one, expiresAt = if_not_exists(expiresAt, :ttl)',
          ConditionExpression: 'attribute_not_exists(#slot)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':zero': { N: '0' },
            ':one': { N: '1' },
            ':ttl': { N: String(expiresAt(now, LEDGER_TTL.budgetDays)) },
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.used?.N ?? Number.POSITIVE_INFINITY);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: k,
          ConsistentRead: true,
          ProjectionExpression: '#slot',
          ExpressionAttributeNames: names,
        }),
      );
      return Number(out.Item?.[names['#slot']]?.N ?? Number.POSITIVE_INFINITY);
    }
  }
}

/** An attribute name per idempotency key (keys are long and free-form; a hash is short and safe). */
function budgetAttribute(idempotencyKey: string): string {
  return `slot_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string }).name === 'ConditionalCheckFailedException'
  );
}
