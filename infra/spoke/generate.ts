// npm run spoke:template [-- --policies <dir>] : writes infra/spoke/spoke.template.json from the capability
// registry and the policies the hub packages (the same inputs as the hub executor's IAM).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicyFileSync } from '../../shared/app/policy-file.ts';
import { DEFAULT_OPT_IN_TAG } from '../../shared/policy/policy-loader.ts';
import { registry } from '../../shared/policy/registry.ts';
import { parseOptInTag } from '../../shared/policy/targeting.ts';
import { spokeTemplate } from './spoke-template.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const flag = process.argv.indexOf('--policies');
const policiesPath = flag >= 0 ? (process.argv[flag + 1] ?? 'policies') : 'policies';
const out = path.join(root, 'infra/spoke/spoke.template.json');
const { policies } = loadPolicyFileSync(policiesPath, root, { now: Date.now() });
const defaultTag = parseOptInTag(DEFAULT_OPT_IN_TAG) ?? { key: 'autopilot:managed', value: 'true' };
writeFileSync(out, `${JSON.stringify(spokeTemplate({ registry, policies, defaultTag, root }), null, 2)}\n`);
console.log(`wrote ${path.relative(root, out)} (policies: ${policiesPath})`);
