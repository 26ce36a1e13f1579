import { readFileSync } from 'node:fs';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { PlaceboRecording } from '../../../shared/simulator/placebo-loader.ts';
import { RedshiftSimulator, type RedshiftSimulatorOptions } from '../../../shared/simulator/redshift-simulator.ts';

const FIXTURES = new URL('../../fixtures/', import.meta.url);

/** A recorded placebo response from test/fixtures/api. */
export function recording(path: string): PlaceboRecording {
  return JSON.parse(readFileSync(new URL(`api/${path}`, FIXTURES), 'utf8')) as PlaceboRecording;
}

/** A real event payload from test/fixtures/events. */
export function eventFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`events/${name}`, FIXTURES), 'utf8')) as T;
}

export const START = Date.UTC(2026, 0, 5, 9, 0, 0); // a Monday, 09:00 UTC

/** A simulator with real SDK clients attached (no credentials or network involved). */
export function simulated(options: RedshiftSimulatorOptions = {}) {
  const sim = new RedshiftSimulator({ start: START, seed: 42, ...options });
  const redshift = new RedshiftClient({
    region: sim.region,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' },
  });
  const serverless = new RedshiftServerlessClient({
    region: sim.region,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' },
  });
  sim.attach(redshift);
  sim.attach(serverless);
  return { sim, redshift, serverless };
}

export const MINUTE = 60_000;

/** Run `promise` and return what it rejected with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown> & Error;
  }
  throw new Error('expected the call to fail, it succeeded');
}
