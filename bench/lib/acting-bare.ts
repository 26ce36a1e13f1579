/**
 * The bare AWS SDK loop of the acting bench, in a child process of its own (`node --import tsx
 * bench/lib/acting-bare.ts ENDPOINT`): what a script an operator might write does for the same job —
 * DescribeClusters page by page (MaxRecords 100), pick the available clusters carrying the opt-in tag
 * and the policy's tag (env=dev), PauseCluster each, one after another. No ledger, no queue, no alert.
 * Prints one `__ACTING__{...}` line: wall ms (inside the process, from the first describe to the last
 * pause), pages, pauses, errors.
 */
import { PauseClusterCommand, paginateDescribeClusters, RedshiftClient } from '@aws-sdk/client-redshift';
import { clientConfig, OPT_IN, SELECTOR } from './acting-world.ts';

export const BARE_CALLER = 'BENCHBARE';
export const MARK = '__ACTING__';

export async function bareLoop(endpoint: string) {
  const redshift = new RedshiftClient(clientConfig(endpoint, BARE_CALLER));
  const start = performance.now();
  let pages = 0;
  const due: string[] = [];
  for await (const page of paginateDescribeClusters({ client: redshift, pageSize: 100 }, {})) {
    pages += 1;
    for (const c of page.Clusters ?? []) {
      const tags = new Map((c.Tags ?? []).map((t) => [t.Key, t.Value]));
      if (c.ClusterStatus !== 'available') continue;
      if (tags.get(OPT_IN.key) !== OPT_IN.value || tags.get(SELECTOR.key) !== SELECTOR.value) continue;
      due.push(c.ClusterIdentifier ?? '');
    }
  }
  let pauses = 0;
  const errors: string[] = [];
  for (const id of due) {
    try {
      await redshift.send(new PauseClusterCommand({ ClusterIdentifier: id }));
      pauses += 1;
    } catch (error) {
      errors.push(`${id}: ${(error as Error).name}`);
    }
  }
  const wallMs = performance.now() - start;
  redshift.destroy();
  return { wallMs, pages, pauses, errors };
}

const [, script, endpoint] = process.argv;
if (script !== undefined && import.meta.filename === script && endpoint !== undefined) {
  const result = await bareLoop(endpoint);
  process.stdout.write(`\n${MARK}${JSON.stringify(result)}\n`);
}
