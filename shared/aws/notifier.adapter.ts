import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { TransientAwsError } from '../errors.ts';
import type { ActionEventDetail, Alert, NotifierPort } from '../execute/ports.ts';
import { safeSubject } from '../execute/report.ts';
import { chunkByCountAndBytes } from './batches.ts';

/**
 * Reports outcomes: an SNS alert (readable subject/body + filterable message attributes) and an
 * EventBridge event `Autopilot Action` from source `autopilot` on the default bus.
 */
export const EVENT = { source: 'autopilot', detailType: 'Autopilot Action', bus: 'default' } as const;

/** SNS: 256 KiB for the whole message, attributes included. Keep a margin for attributes and subject. */
export const SNS_MAX_BYTES = 262_144;
const SNS_BODY_BUDGET = SNS_MAX_BYTES - 8_192;
/** EventBridge: 256 KiB per entry. */
const EVENT_DETAIL_BUDGET = 250_000;

const TRUNCATION_NOTE = '\n[... truncated to fit the SNS size limit]';

/** Cuts to at most `maxBytes` UTF-8 bytes without splitting a character, and says it did. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(TRUNCATION_NOTE, 'utf8');
  const bytes = Buffer.from(text, 'utf8');
  let end = Math.max(0, room);
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is cut in half.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8') + TRUNCATION_NOTE;
}

/** SNS rejects empty String attribute values. */
function attr(value: string) {
  return { DataType: 'String', StringValue: value.length > 0 ? value : '-' };
}

export class Notifier implements NotifierPort {
  readonly #sns: SNSClient;
  readonly #eventBridge: EventBridgeClient;
  readonly #topicArn: string;

  constructor(clients: { sns: SNSClient; eventBridge: EventBridgeClient }, alertTopicArn: string) {
    this.#sns = clients.sns;
    this.#eventBridge = clients.eventBridge;
    this.#topicArn = alertTopicArn;
  }

  async alert(alert: Alert): Promise<void> {
    const a = alert.attributes;
    await this.#sns.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: safeSubject(alert.subject),
        Message: truncateUtf8(alert.body, SNS_BODY_BUDGET),
        MessageAttributes: {
          severity: attr(a.severity),
          policy: attr(a.policy),
          resource: attr(a.resource),
          action: attr(a.action),
          outcome: attr(a.outcome),
        },
      }),
    );
  }

  #held: ActionEventDetail[] | null = null;

  /** Holds events (the executor's batch) and returns the flush: PutEvents of up to 10 entries each. */
  hold(): () => Promise<void> {
    this.#held ??= [];
    return async () => {
      const held = this.#held ?? [];
      this.#held = null;
      await this.#putActions(held);
    };
  }

  async event(detail: ActionEventDetail): Promise<void> {
    if (this.#held !== null) {
      this.#held.push(detail);
      return;
    }
    await this.#putActions([detail]);
  }

  /** A capability's own report event (`Autopilot Drill Report`), same source and bus as `Autopilot Action`. */
  async report(detailType: string, detail: Record<string, unknown>, resources: readonly string[]): Promise<void> {
    // A report is a few KB (figures, AZs, events): far under the 256 KiB entry limit.
    const entry = { Source: EVENT.source, DetailType: detailType, EventBusName: EVENT.bus, Resources: [...resources] };
    await this.#put([{ ...entry, Detail: JSON.stringify(detail) }]);
  }

  /** Action events, as few requests as the limits allow. */
  #putActions(details: readonly ActionEventDetail[]): Promise<void> {
    return this.#put(
      details.map((detail) => ({
        Source: EVENT.source,
        DetailType: EVENT.detailType,
        EventBusName: EVENT.bus,
        Resources: detail.target.arn === undefined ? [] : [detail.target.arn],
        Detail: detailJson(detail),
      })),
    );
  }

  /** Every entry, 10 and at most 256 KiB per request; throws after all were tried when some failed. */
  async #put(entries: readonly PutEventsRequestEntry[]): Promise<void> {
    const failures: string[] = [];
    const chunks = chunkByCountAndBytes(
      entries,
      { max: PUT_EVENTS_MAX, bytes: PUT_EVENTS_BYTES },
      (e) => Buffer.byteLength(e.Detail ?? '', 'utf8') + 256,
    );
    for (const chunk of chunks) {
      try {
        const out = await this.#eventBridge.send(new PutEventsCommand({ Entries: chunk }));
        if ((out.FailedEntryCount ?? 0) > 0) {
          const entry = out.Entries?.find((e) => e.ErrorCode !== undefined);
          failures.push(
            `${out.FailedEntryCount} of ${chunk.length}: ${entry?.ErrorCode ?? '?'}: ${entry?.ErrorMessage ?? ''}`,
          );
        }
      } catch (error) {
        failures.push(`${chunk.length}: ${String(error)}`);
      }
    }
    if (failures.length > 0) throw new TransientAwsError(`PutEvents failed: ${failures.join('; ')}`);
  }
}

/** Only free text can be long: cut it rather than drop the event. */
function detailJson(detail: ActionEventDetail): string {
  const json = JSON.stringify(detail);
  if (Buffer.byteLength(json, 'utf8') <= EVENT_DETAIL_BUDGET) return json;
  return JSON.stringify({
    ...detail,
    reason: truncateUtf8(detail.reason, 4_096),
    outcomeReason: detail.outcomeReason === null ? null : truncateUtf8(detail.outcomeReason, 4_096),
    error: detail.error === null ? null : { ...detail.error, message: truncateUtf8(detail.error.message, 4_096) },
  });
}

/** PutEvents: at most 10 entries and 256 KiB per request. */
const PUT_EVENTS_MAX = 10;
const PUT_EVENTS_BYTES = 262_144;
