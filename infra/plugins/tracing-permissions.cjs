'use strict';

/**
 * With `provider.tracing.lambda: Active` (the `tracing` parameter) Lambda sends X-Ray segments with the
 * function's own role. The framework grants that only to its shared default role, which
 * serverless-iam-roles-per-function replaces: this adds xray:PutTraceSegments and PutTelemetryRecords to
 * each function's role, and nothing when tracing is off. X-Ray has no resource-level permissions (the
 * Service Authorization Reference lists no resource type), hence Resource "*".
 */
class TracingPermissions {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.grant() };
  }

  grant() {
    const provider = this.serverless.service.provider;
    const mode = provider.tracing?.lambda;
    if (mode !== true && mode !== 'Active') return;
    const resources = provider.compiledCloudFormationTemplate.Resources;
    for (const fn of Object.values(resources)) {
      if (fn.Type !== 'AWS::Lambda::Function') continue;
      const roleId = fn.Properties?.Role?.['Fn::GetAtt']?.[0];
      const policy = roleId && resources[roleId]?.Properties?.Policies?.[0];
      if (!policy) continue;
      policy.PolicyDocument.Statement.push({
        Sid: 'XRayTracing',
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: '*',
      });
    }
  }
}

module.exports = TracingPermissions;
