// osls variable source for a hub (issue 18; serverless.yml `--param targets=targets.json`): the targets
// file is parsed with the runtime's own parser (shared/aws/targets.ts, file:line:col problems stop the
// packaging) and turned into the hub's resources, the accounts its rules match, the package pattern that
// ships the file and the AUTOPILOT_TARGETS_PATH value. No targets: nothing changes (single account).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

async function load(resolveVariable) {
  const file = String((await resolveVariable('param:targets')) ?? '').trim();
  if (file === '') return { file: '', hub: null };
  const { tsImport } = require('tsx/esm/api');
  const targets = await tsImport(path.join(root, 'shared/aws/targets.ts'), __filename);
  const full = path.resolve(root, file);
  if (!fs.existsSync(full)) throw new Error(`--param targets=${file}: no such file; expected the hub's targets file`);
  return { file, hub: targets.parseTargets(fs.readFileSync(full, 'utf8'), file) };
}

async function template() {
  const { tsImport } = require('tsx/esm/api');
  return tsImport(path.join(root, 'infra/hub/hub-template.ts'), __filename);
}

module.exports = {
  resources: async ({ resolveVariable }) => {
    const { hub } = await load(resolveVariable);
    const prefix = await resolveVariable('self:custom.names.prefix');
    const subscribe = String(await resolveVariable('param:subscribeSpokes')) === 'true';
    return (await template()).hubResources(hub, { prefix, subscribe });
  },
  servedAccounts: async ({ resolveVariable }) => (await template()).servedAccounts((await load(resolveVariable)).hub),
  // The file next to the bundle (like the policies), or a pattern that matches nothing.
  packagePattern: async ({ resolveVariable }) => (await load(resolveVariable)).file || '!.autopilot-no-targets-file',
  path: async ({ resolveVariable }) => (await load(resolveVariable)).file,
};
