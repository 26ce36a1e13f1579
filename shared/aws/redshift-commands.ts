/**
 * The Amazon Redshift commands the capabilities' action handlers send, in one module the handlers
 * import on first use (`await redshiftCommands()`, ./sdk-commands.ts): loading the action declarations (validate, plan,
 * explain-actions, the registry in every function) then does not load the SDK client. Only the names
 * listed here are bundled from the client package.
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
