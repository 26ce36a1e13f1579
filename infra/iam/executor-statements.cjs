// osls variable source (serverless.yml: ${file(./infra/iam/executor-statements.cjs)}): the executor role's
// IAM statements, generated from the capability registry and the policies being packaged
// (shared/iam/packaged-iam.ts). TypeScript is loaded through tsx, which the project already depends on.
const path = require('node:path');

module.exports = async ({ resolveVariable }) => {
  const policies = await resolveVariable('param:policies');
  const capabilities = String((await resolveVariable('param:capabilities')) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const { tsImport } = require('tsx/esm/api');
  const root = path.resolve(__dirname, '..', '..');
  const mod = await tsImport(path.join(root, 'shared/iam/packaged-iam.ts'), __filename);
  return mod.packagedExecutorStatements({ policies, capabilities, cwd: root });
};
