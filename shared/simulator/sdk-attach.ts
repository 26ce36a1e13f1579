/**
 * Put the simulator behind real SDK v3 clients: one `initialize`-step middleware, added with high
 * priority, answers every command with the simulator's output (or throws its SDK exception) before
 * serialization, signing, retries or HTTP. Commands, inputs and outputs keep their SDK types, and
 * the handlers' code path is the one that runs against AWS.
 *
 * Because the answer comes before the SDK's retry middleware, an injected throttling or 5xx reaches
 * the caller on the first attempt: the simulated code's own retry/backoff is what gets exercised,
 * and nothing sleeps in wall-clock time.
 */
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type {
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  MetadataBearer,
} from '@smithy/types';

export interface SimulatedBackend {
  call(service: 'redshift' | 'redshift-serverless' | 'redshift-data', operation: string, input: object): object;
}

export const SIMULATOR_MIDDLEWARE_NAME = 'redshiftAutopilotSimulator';

type AnyClient = RedshiftClient | RedshiftServerlessClient | RedshiftDataClient;

/** The simulator's service for an SDK client name (the Data API's client is RedshiftDataClient). */
function serviceOf(clientName: string | undefined): 'redshift' | 'redshift-serverless' | 'redshift-data' {
  if (clientName === 'RedshiftServerlessClient') return 'redshift-serverless';
  if (clientName === 'RedshiftDataClient') return 'redshift-data';
  return 'redshift';
}

/** Route `client`'s commands to `backend`. Returns a function that detaches it again. */
export function attachClient(backend: SimulatedBackend, client: AnyClient): () => void {
  const stack = client.middlewareStack as AnyClient['middlewareStack'] & {
    add: (mw: unknown, options: object) => void;
    remove: (name: string) => boolean;
  };
  const middleware =
    (_next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
      const service = serviceOf(context.clientName);
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const output = backend.call(service, operation, args.input) as MetadataBearer;
      return { output, response: { statusCode: 200, headers: {} } };
    };
  stack.add(middleware, { step: 'initialize', priority: 'high', name: SIMULATOR_MIDDLEWARE_NAME, override: true });
  return () => {
    stack.remove(SIMULATOR_MIDDLEWARE_NAME);
  };
}
