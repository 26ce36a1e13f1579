import type { Context } from 'aws-lambda';

/** A Lambda invocation context for calling the deployed handler factories in process. */
export function lambdaContext(options: { account?: string; remainingMs?: number } = {}): Context {
  const { account = '123456789012', remainingMs = 60_000 } = options;
  return {
    functionName: 'f',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${account}:function:f`,
    memoryLimitInMB: '256',
    awsRequestId: 'r',
    logGroupName: '/aws/lambda/f',
    logStreamName: 's',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
