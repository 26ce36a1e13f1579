import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { claimOutcome, expiresAt, LEDGER_TTL } from '../execute/ledger-rules.ts';
import type { ClaimResult, LedgerPort, LedgerRecord } from '../execute/ports.ts';
import type { TargetRef } from '../policy/decision.ts';

/**
 * The ledger in DynamoDB (one on-demand table, key pk/sk strings, TTL attribute `expiresAt`).
 *
 * Items:
 * - `pk = action#<idempotencyKey>`, `sk = record`: one per decision. The attributes the conditions
 *   read (`status`, `retryable`, `leaseUntil`, `claimToken`) are top-level; the whole record is in
 *   `body` (JSON) so the schema can grow without migrations.
 * - `pk = inflight`, `sk = <type>#<id>#<key>`: an index of long-running operations, so a reconcile
 *   tick finds them with one Query instead of a Scan. Small by nature (only what is running now).
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
  latest: (target: TargetRef, stateKey: string) => ({ pk: `latest#${target.type}#${target.id}`, sk: stateKey }),
  notice: (topic: string) => ({ pk: `notice#${topic}`, sk: 'notice' }),
} as const;

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
  };
}

function fromItem(item: Record<string, AttributeValue> | undefined): LedgerRecord | null {
  const body = item?.body?.S;
  return body === undefined ? null : (JSON.parse(body) as LedgerRecord);
}

export class DynamoLedger implements LedgerPort {
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

  /**
   * The outcome, only for the holder of the claim token. The in-flight index is written before a record
   * goes in progress and cleaned after it ends, and a failed clean-up is left to `listInFlight` (which
   * reads the records, the truth) and the TTL: once the record is written, `save` does not throw because
   * of the index — a throw there made the executor redeliver an outcome it had written, and nobody
   * reported it.
   */
  async save(record: LedgerRecord): Promise<boolean> {
    if (record.status === 'in-progress') {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...key(LEDGER_KEYS.inflight(record)),
            idempotencyKey: S(record.idempotencyKey),
            body: S(JSON.stringify(record)),
            expiresAt: { N: String(expiresAt(this.#now(), LEDGER_TTL.recordDays)) },
          },
        }),
      );
    }
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: toItem(record, this.#now()),
          ConditionExpression: 'claimToken = :token',
          ExpressionAttributeValues: { ':token': S(record.claimToken) },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    if (record.status !== 'in-progress' && record.expectedState !== null) {
      // A long-running operation reached an end: drop it from the in-flight index (best effort, see above).
      await this.#client
        .send(new DeleteItemCommand({ TableName: this.#table, Key: key(LEDGER_KEYS.inflight(record)) }))
        .catch(() => undefined);
    }
    return true;
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
    const found: LedgerRecord[] = [];
    const pages = paginateQuery(
      { client: this.#client },
      {
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': S(LEDGER_KEYS.inflightPk) },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const record = fromItem(item);
        if (record !== null) found.push(record);
      }
    }
    // The index entry is written after the record; the record is the truth.
    const current = await this.getMany(found.map((r) => r.idempotencyKey));
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
    const k = key(LEDGER_KEYS.latest(target, stateKey));
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: k,
          UpdateExpression: 'SET decisionAt = :at, idempotencyKey = :key, expiresAt = :ttl',
          ConditionExpression: 'attribute_not_exists(decisionAt) OR decisionAt <= :at',
          ExpressionAttributeValues: {
            ':at': S(at),
            ':key': S(idempotencyKey),
            ':ttl': { N: String(expiresAt(this.#now(), LEDGER_TTL.recordDays)) },
          },
        }),
      );
      return null;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.#client.send(new GetItemCommand({ TableName: this.#table, Key: k, ConsistentRead: true }));
      return out.Item?.decisionAt?.S ?? 'unknown';
    }
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
