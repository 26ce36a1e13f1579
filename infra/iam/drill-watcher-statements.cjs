// osls variable source (serverless.yml: watchDrills iamRoleStatements): the drill watcher role's IAM
// statements, generated from the policies being packaged (shared/iam/packaged-drill-iam.ts): the canary's
// Data API calls on clusters with a drill policy's opt-in tag and GetSecretValue on its secrets only.
const path = require('node:path');

module.exports = async ({ resolveVariable }) => {
  const policies = await resolveVariable('param:policies');
  const capabilities = String((await resolveVariable('param:capabilities')) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const { tsImport } = require('tsx/esm/api');
  const root = path.resolve(__dirname, '..', '..');
  const mod = await tsImport(path.join(root, 'shared/iam/packaged-drill-iam.ts'), __filename);
  return mod.packagedDrillWatcherStatements({ policies, capabilities, cwd: root });
};
