/**
 * The Amazon Redshift commands the capabilities' action handlers send. The handlers reach them through
 * the adapter they are given (`RedshiftAdapter.commands`), never by importing the client: loading the
 * action declarations (validate, plan, explain-actions, the registry) then loads no SDK client, and
 * only the names listed here are bundled from the client package.
 */
export {
  CreateClusterSnapshotCommand,
  CreateUsageLimitCommand,
  DeleteClusterSnapshotCommand,
  DeleteUsageLimitCommand,
  DescribeClusterSubnetGroupsCommand,
  DescribeClustersCommand,
  EnableSnapshotCopyCommand,
  FailoverPrimaryComputeCommand,
  ModifyClusterParameterGroupCommand,
  ModifySnapshotCopyRetentionPeriodCommand,
  ModifyUsageLimitCommand,
  PauseClusterCommand,
  ResizeClusterCommand,
  ResumeClusterCommand,
} from '@aws-sdk/client-redshift';
