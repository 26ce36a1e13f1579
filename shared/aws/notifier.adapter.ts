import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { TransientAwsError } from '../errors.ts';
import type { ActionEventDetail, Alert, NotifierPort } from '../execute/ports.ts';
import { safeSubject } from '../execute/report.ts';

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

  async event(detail: ActionEventDetail): Promise<void> {
    let json = JSON.stringify(detail);
    if (Buffer.byteLength(json, 'utf8') > EVENT_DETAIL_BUDGET) {
      // Only free text can be long; cut it rather than drop the event.
      json = JSON.stringify({
        ...detail,
        reason: truncateUtf8(detail.reason, 4_096),
        outcomeReason: detail.outcomeReason === null ? null : truncateUtf8(detail.outcomeReason, 4_096),
        error: detail.error === null ? null : { ...detail.error, message: truncateUtf8(detail.error.message, 4_096) },
      });
    }
    const out = await this.#eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EVENT.source,
            DetailType: EVENT.detailType,
            EventBusName: EVENT.bus,
            Resources: detail.target.arn === undefined ? [] : [detail.target.arn],
            Detail: json,
          },
        ],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.find((e) => e.ErrorCode !== undefined);
      throw new TransientAwsError(`PutEvents failed: ${entry?.ErrorCode ?? '?'}: ${entry?.ErrorMessage ?? ''}`);
    }
  }

  /** A capability's own report event (`Autopilot Drill Report`), same source and bus as `Autopilot Action`. */
  async report(detailType: string, detail: Record<string, unknown>, resources: readonly string[]): Promise<void> {
    const out = await this.#eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EVENT.source,
            DetailType: detailType,
            EventBusName: EVENT.bus,
            Resources: [...resources],
            // A report is a few KB (figures, AZs, events): far under the 256 KiB entry limit.
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.find((e) => e.ErrorCode !== undefined);
      throw new TransientAwsError(`PutEvents failed: ${entry?.ErrorCode ?? '?'}: ${entry?.ErrorMessage ?? ''}`);
    }
  }
}
