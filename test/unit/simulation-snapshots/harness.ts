import { readFileSync } from 'node:fs';
import { RedshiftClient, type Snapshot } from '@aws-sdk/client-redshift';
import { RedshiftAdapter } from '../../../shared/aws/redshift.adapter.ts';
import { SnapshotVerifier } from '../../../shared/domains/snapshots/snapshot-verification.ts';
import { normalize } from '../../../shared/events/normalize.ts';
import type { NormalizedEvent } from '../../../shared/events/normalized-event.ts';
import { Executor } from '../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import { reconcile } from '../../../shared/execute/reconcile.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { Decision, FleetResource } from '../../../shared/policy/decision.ts';
import { loadPolicySources, type PolicySet } from '../../../shared/policy/policy-loader.ts';
import { reviveDates } from '../../../shared/simulator/placebo-loader.ts';
import { RedshiftSimulator } from '../../../shared/simulator/redshift-simulator.ts';
import { RecordingNotifier } from '../execute/fakes.ts';

/**
 * The acting path in-process, driven by the simulator's virtual clock: every tick runs the real
 * reconcile sweep (fleet read through the SDK → decide() → executor) and the snapshot verifier
 * (events as the simulator delivers them, then the polling backstop and deadlines).
 */
export const OPT_IN = { Key: 'autopilot:managed', Value: 'true' } as const;

export function policiesFrom(yaml: string): PolicySet {
  const result = loadPolicySources([{ file: 'scenario.yml', text: yaml }]);
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n'));
  return result.policySet;
}

/** The recorded DescribeClusterSnapshots (Cloud Custodian placebo), dates revived; duplicate ids kept once. */
export function recordedSnapshots(dir: string): Snapshot[] {
  const url = new URL(`../../fixtures/api/${dir}/redshift.DescribeClusterSnapshots_1.json`, import.meta.url);
  const doc = reviveDates(JSON.parse(readFileSync(url, 'utf8')) as { data: { Snapshots: Snapshot[] } });
  const seen = new Set<string>();
  return doc.data.Snapshots.filter(
    (s) => !seen.has(s.SnapshotIdentifier ?? '') && seen.add(s.SnapshotIdentifier ?? ''),
  );
}

export interface WorldOptions {
  start: number;
  seed?: number;
  policies: string;
  /** Drop snapshot completion events for which this returns true (lost SNS deliveries). */
  dropEvent?: (event: NormalizedEvent) => boolean;
}

export function world(options: WorldOptions) {
  const sim = new RedshiftSimulator({ start: options.start, seed: options.seed ?? 7 });
  const client = new RedshiftClient({
    region: sim.region,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' },
  });
  sim.attach(client);
  const adapter = new RedshiftAdapter(client);
  const policySet = policiesFrom(options.policies);
  const ledger = new MemoryLedger();
  const notifier = new RecordingNotifier();
  const clock = { now: () => sim.clock.now() };
  let token = 0;
  const executor = new Executor({
    resources: { cluster: adapter },
    ledger,
    notifier,
    region: sim.region,
    clock,
    newToken: () => `tok-${++token}`,
  });
  const verifier = new SnapshotVerifier({
    ledger,
    notifier,
    clock,
    region: sim.region,
    policies: policySet.policies,
    reader: { readSnapshot: (_service, id) => adapter.readSnapshot(id) },
  });
  const inbox: NormalizedEvent[] = [];
  const dropped: NormalizedEvent[] = [];
  sim.subscribe((payload, deliverAt) => {
    for (const event of normalize(payload, { receivedAt: deliverAt.toISOString() })) {
      if (options.dropEvent?.(event) === true) dropped.push(event);
      else inbox.push(event);
    }
  });
  const executed: Decision[] = [];
  let lastFleet: FleetResource[] = [];

  async function readFleet(): Promise<FleetResource[]> {
    lastFleet = [...(await adapter.readFleet()), ...(await adapter.readSnapshots())];
    return lastFleet;
  }

  /** Move the clock, hand delivered events to the verifier, run one sweep. */
  async function tick(at: number): Promise<void> {
    sim.clock.advanceTo(at);
    for (const event of inbox.splice(0)) await verifier.onEvent(event);
    await reconcile({
      readFleet,
      decide: ({ fleet, now, ledger: view }) =>
        decide({
          policies: policySet,
          fleet,
          trigger: { kind: 'tick', at: now.toISOString() },
          now: now.toISOString(),
          ledger: view,
        }),
      ledger,
      queue: {
        async send(decisions) {
          const run = executor.newRun();
          for (const d of decisions) {
            executed.push(d);
            await executor.execute(d, run);
          }
          return { sent: decisions.length };
        },
      },
      clock,
    });
    await verifier.sweep(lastFleet);
  }

  return {
    sim,
    client,
    adapter,
    policySet,
    ledger,
    notifier,
    executor,
    verifier,
    tick,
    executed,
    dropped,
    readFleet,
    /** The fleet the last tick read (snapshots included). */
    lastFleet: () => lastFleet,
  };
}
