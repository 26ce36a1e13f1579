import { DescribeIntegrationsCommand, type RedshiftClient } from '@aws-sdk/client-redshift';
// Type only: the SDK's own middleware types (a dependency of every @aws-sdk client).
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { SIMULATOR_MIDDLEWARE_NAME } from '../../shared/simulator/index.ts';

/**
 * The simulator answers DescribeIntegrations but not DescribeInboundIntegrations (what the executor
 * asks before a pause: "is this cluster a zero-ETL target?"). Answer it from the simulator's own
 * integrations, in front of the simulator middleware.
 */
export function answerInboundIntegrations(client: RedshiftClient): void {
  const middleware: InitializeMiddleware<object, MetadataBearer> = (next, ctx) => async (args) => {
    if (ctx.commandName !== 'DescribeInboundIntegrationsCommand') return next(args);
    const target = (args.input as { TargetArn?: string }).TargetArn;
    const { Integrations = [] } = await client.send(new DescribeIntegrationsCommand({}));
    const inbound = Integrations.filter((i) => i.TargetArn === target).map((i) => ({
      IntegrationArn: i.IntegrationArn,
      SourceArn: i.SourceArn,
      TargetArn: i.TargetArn,
      Status: i.Status,
    }));
    return { output: { InboundIntegrations: inbound, $metadata: {} }, response: {} };
  };
  client.middlewareStack.addRelativeTo(middleware, {
    relation: 'before',
    toMiddleware: SIMULATOR_MIDDLEWARE_NAME,
    name: 'answerInboundIntegrations',
  });
}
