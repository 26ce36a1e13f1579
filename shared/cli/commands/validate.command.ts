import { analyzeConflicts } from '../../policy/conflicts.ts';
import { formatProblem, loadPolicyPaths } from '../../policy/policy-loader.ts';
import { type CliCommand, UsageError } from '../io.ts';
import { readFleetFiles } from './plan.command.ts';

export const command: CliCommand = {
  usage: 'autopilot validate <policy file|dir>... [--fleet <aws-cli-output.json>...]',
  run: async (args, io) => {
    const paths: string[] = [];
    const fleetFiles: string[] = [];
    let target = paths;
    for (const arg of args) {
      if (arg === '--fleet') target = fleetFiles;
      else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
      else target.push(arg);
    }
    if (paths.length === 0) throw new UsageError('give at least one policy file or folder');
    if (target === fleetFiles && fleetFiles.length === 0) throw new UsageError('--fleet needs at least one file');
    const { policySet, problems } = await loadPolicyPaths(paths, io.cwd, { now: io.now().getTime() });
    const hasErrors = problems.some((p) => p.severity === 'error');
    if (!hasErrors) {
      const fleet = fleetFiles.length === 0 ? null : await readFleetFiles(fleetFiles, io.cwd, io.now().toISOString());
      problems.push(...analyzeConflicts(policySet.policies, fleet, io.now().getTime()));
    }
    // Problems (errors and warnings) are diagnostics: stderr. stdout holds only the result line.
    for (const problem of problems) io.stderr(`${formatProblem(problem)}\n`);
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (errors > 0) {
      io.stderr(`${errors} error${errors === 1 ? '' : 's'}\n`);
      return 1;
    }
    const n = policySet.policies.length;
    io.stdout(`${n} ${n === 1 ? 'policy' : 'policies'} OK\n`);
    return 0;
  },
};
