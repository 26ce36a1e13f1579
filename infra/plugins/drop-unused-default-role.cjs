'use strict';

/**
 * serverless-iam-roles-per-function gives every function its own role but leaves the framework's shared
 * IamRoleLambdaExecution in the template (with the union of everyone's destination permissions). A role
 * no function uses is only attack surface, so once the per-function roles exist (same hook, this plugin
 * is listed after it) the shared role is removed if, and only if, nothing in the template refers to it.
 * It also drops the function's DependsOn on its own role, which the Role GetAtt already implies
 * (cfn-lint W3005).
 */
const ROLE = 'IamRoleLambdaExecution';

function refersTo(node, logicalId) {
  if (Array.isArray(node)) return node.some((item) => refersTo(item, logicalId));
  if (node === null || typeof node !== 'object') return false;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'Ref' && value === logicalId) return true;
    if (key === 'Fn::GetAtt') {
      const target = Array.isArray(value) ? value[0] : String(value).split('.')[0];
      if (target === logicalId) return true;
    }
    if (key === 'Fn::Sub' && JSON.stringify(value).includes(`\${${logicalId}`)) return true;
    if (key === 'DependsOn' && [].concat(value).includes(logicalId)) return true;
    if (refersTo(value, logicalId)) return true;
  }
  return false;
}

class DropUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.drop() };
  }

  drop() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    for (const resource of Object.values(template.Resources)) {
      const role = resource.Type === 'AWS::Lambda::Function' && resource.Properties?.Role?.['Fn::GetAtt']?.[0];
      if (role && Array.isArray(resource.DependsOn)) {
        resource.DependsOn = resource.DependsOn.filter((id) => id !== role);
        if (resource.DependsOn.length === 0) delete resource.DependsOn;
      }
    }
    if (!(ROLE in template.Resources)) return;
    const { [ROLE]: _role, ...others } = template.Resources;
    if (refersTo(others, ROLE) || refersTo(template.Outputs ?? {}, ROLE)) return;
    delete template.Resources[ROLE];
    this.serverless.cli?.log?.(`drop-unused-default-role: removed ${ROLE} (every function has its own role)`);
  }
}

module.exports = DropUnusedDefaultRole;
