/**
 * The Redshift Serverless commands the capabilities' action handlers send, reached through
 * `RedshiftServerlessAdapter.commands` like ./redshift-commands.ts.
 */
export {
  CreateSnapshotCommand,
  CreateSnapshotCopyConfigurationCommand,
  CreateUsageLimitCommand,
  DeleteSnapshotCommand,
  DeleteUsageLimitCommand,
  GetWorkgroupCommand,
  ListSnapshotCopyConfigurationsCommand,
  UpdateSnapshotCopyConfigurationCommand,
  UpdateUsageLimitCommand,
  UpdateWorkgroupCommand,
} from '@aws-sdk/client-redshift-serverless';
