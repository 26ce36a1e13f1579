/**
 * Plausible values for every placeholder name in the catalog and the EventBridge-page wordings, so a
 * test can render any template the way AWS would fill it. An unknown name throws: a new placeholder
 * in the catalog must be added here, not silently rendered as garbage.
 */
const SAMPLE: Record<string, string> = {
  account_id: '123456789012',
  action_needed: 'Retry the resize with a different node type',
  alternative_availability_zones: 'us-east-1b, us-east-1c',
  availability_zone: 'us-east-1a',
  availability_zone_2: 'us-east-1b',
  bucket_name: 'analytics-audit-logs',
  cluster_id: 'analytics-prod',
  cluster_name: 'analytics-prod',
  cluster_security_group_name: 'default',
  consumer_principle_id: '210987654321',
  copy_of_request_arguments: '{"DataFilter":"include: sales.*"}',
  datashare_name: 'sales_share',
  ddl_change: 'ALTER TABLE ADD COLUMN discount',
  destination_aws_region: 'us-west-2',
  end_time: 'Thu, 26 Nov 2026 07:30 UTC',
  endpoint_name: 'analytics-wg',
  first_availability_zone: 'us-east-1a',
  from_track: 'current',
  group_name: 'etl-group',
  hours: '3',
  integration_name: 'orders-to-analytics',
  ip_address: '52.95.4.13',
  kms_key: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  maximum_number_of_elastic_network_interfaces: '2',
  name: 'final-analytics-prod-2026',
  name_2: 'analytics-prod',
  namespace_name: 'analytics-ns',
  operation: 'resize',
  parameter_group_name: 'etl-params',
  parameter_name: 'enable_user_activity_logging',
  reason: 'the cluster ran out of disk space',
  redshift_database_name: 'dev',
  scheduled_action_name: 'nightly-pause',
  schema_name: 'sales',
  second_availability_zone: 'us-east-1b',
  security_group_name: 'etl-sg',
  snapshot_name: 'rs:analytics-prod-2026-11-25-06-00',
  source_aws_region: 'us-east-1',
  start_time: 'Thu, 26 Nov 2026 07:00 UTC',
  subnet_group_name: 'private-subnets',
  subnet_id: 'subnet-0a1b2c3d',
  subnet_name: 'subnet-0a1b2c3d',
  table_name: 'orders',
  time: '2026-11-25 06:36 UTC',
  time_in_utc: '2026-11-25 06:36 UTC',
  time_in_utc_2: '2026-11-26 07:00 UTC',
  to_track: 'trailing',
  utc_time: '2026-11-25 06:36 UTC',
  value: 'off',
  value_2: 'on',
  vpc_name: 'vpc-0a1b2c3d',
  was_was_not: 'was not',
  workgroup_name: 'analytics-wg',
};

export function sampleValue(name: string): string {
  const value = SAMPLE[name];
  if (value === undefined) throw new Error(`no sample value for placeholder '${name}': add one to replay-values.ts`);
  return value;
}

/** Renders a catalog template; returns the message and the values it was filled with (under their value names). */
export function render(
  template: string,
  names: readonly string[],
): { message: string; values: Record<string, string> } {
  let i = 0;
  const values: Record<string, string> = {};
  const message = template.replace(/\{([a-z0-9_]+)\}/g, () => {
    const name = names[i++] ?? '';
    const value = sampleValue(name);
    values[name] = value;
    return value;
  });
  return { message, values };
}
