/**
 * Turn recorded responses into simulator state. Two recorded shapes are accepted:
 * - placebo (Cloud Custodian's botocore recordings, test/fixtures/api): `{ status_code, data }` with
 *   datetimes as `{ "__class__": "datetime", year, month, … }` (UTC);
 * - AWS CLI output (`aws redshift describe-clusters`): ISO 8601 strings for timestamps.
 * Either way the result has `Date` objects where the SDK has them.
 */
import type { Cluster, Snapshot } from '@aws-sdk/client-redshift';

export interface PlaceboRecording {
  status_code: number;
  data: Record<string, unknown>;
}

/** Fields the SDK types as Date (Cluster, Snapshot, serverless Workgroup/Namespace/Snapshot). */
const DATE_FIELDS = new Set([
  'ClusterCreateTime',
  'NextMaintenanceWindowStartTime',
  'SnapshotCreateTime',
  'SnapshotRetentionStartTime',
  'ExpectedNextSnapshotScheduleTime',
  'CustomDomainCertificateExpiryDate',
  'DeferMaintenanceStartTime',
  'DeferMaintenanceEndTime',
  'CreateTime',
  'creationDate',
  'snapshotCreateTime',
  'snapshotRetentionStartTime',
  'customDomainCertificateExpiryTime',
]);

function isPlaceboDate(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && (value as { __class__?: unknown }).__class__ === 'datetime';
}

function toDate(value: Record<string, number>): Date {
  const n = (k: string) => value[k] ?? 0;
  return new Date(
    Date.UTC(
      n('year'),
      n('month') - 1,
      n('day'),
      n('hour'),
      n('minute'),
      n('second'),
      Math.floor(n('microsecond') / 1000),
    ),
  );
}

/** Deep copy of `value` with recorded datetimes (placebo objects, or ISO strings in date fields) as Dates. */
export function reviveDates<T>(value: T, key = ''): T {
  if (isPlaceboDate(value)) return toDate(value) as T;
  if (typeof value === 'string' && DATE_FIELDS.has(key)) {
    const ms = Date.parse(value);
    return (Number.isNaN(ms) ? value : new Date(ms)) as T;
  }
  if (Array.isArray(value)) return value.map((v) => reviveDates(v, key)) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = reviveDates(v, k);
    return out as T;
  }
  return value;
}

export function clustersFromRecording(recording: PlaceboRecording | { Clusters?: unknown[] }): Cluster[] {
  const data = 'data' in recording ? recording.data : recording;
  const clusters = (data as { Clusters?: unknown[]; Cluster?: unknown }).Clusters ?? [
    (data as { Cluster?: unknown }).Cluster,
  ];
  return clusters.filter((c) => c !== undefined).map((c) => reviveDates(c as Cluster));
}

export function snapshotsFromRecording(recording: PlaceboRecording | { Snapshots?: unknown[] }): Snapshot[] {
  const data = 'data' in recording ? recording.data : recording;
  const snapshots = (data as { Snapshots?: unknown[]; Snapshot?: unknown }).Snapshots ?? [
    (data as { Snapshot?: unknown }).Snapshot,
  ];
  return snapshots.filter((s) => s !== undefined).map((s) => reviveDates(s as Snapshot));
}

/** The `{ Code, Message, Type }` and HTTP status of a recorded error response, or undefined. */
export function errorFromRecording(
  recording: PlaceboRecording,
): { code: string; message: string; type: string; status: number } | undefined {
  const error = recording.data.Error as { Code?: string; Message?: string; Type?: string } | undefined;
  if (error === undefined) return undefined;
  return {
    code: error.Code ?? '',
    message: error.Message ?? '',
    type: error.Type ?? '',
    status: recording.status_code,
  };
}
