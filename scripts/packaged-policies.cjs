// osls variable source (serverless.yml: ${file(./scripts/packaged-policies.cjs):path} and :pattern): the
// policies folder (`--param policies`) validated and compiled once per packaging into dist/policies/….json
// (shared/app/pack-policies.ts; any problem stops the packaging with every file:line:col). The functions
// read that JSON at cold start (POLICY_PATH): no YAML parser or policy schema ships in a zip.
// TypeScript is loaded through tsx, which the project already depends on (as infra/iam/*.cjs).
const path = require('node:path');

const root = path.resolve(__dirname, '..');
let packing;

async function pack(resolveVariable) {
  const policies = String((await resolveVariable('param:policies')) ?? '');
  const capabilities = String((await resolveVariable('param:capabilities')) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  packing ??= (async () => {
    const { tsImport } = require('tsx/esm/api');
    const mod = await tsImport(path.join(root, 'shared/app/pack-policies.ts'), __filename);
    return mod.packPolicies({ policies, capabilities, cwd: root });
  })();
  return packing;
}

module.exports = {
  // POLICY_PATH: the compiled file, relative to the task root.
  path: async ({ resolveVariable }) => pack(resolveVariable),
  // package.patterns: the same file, copied next to the bundle.
  pattern: async ({ resolveVariable }) => pack(resolveVariable),
};
