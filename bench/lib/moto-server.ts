import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * One moto_server for the acting bench, on a free port of 127.0.0.1, started by the bench and stopped
 * by its PID (only the process this bench started). `reset()` empties every service between runs
 * (POST /moto-api/reset), so each run starts from the same state.
 */
export interface MotoServer {
  endpoint: string;
  pid: number;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export function motoAvailable(): boolean {
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('could not read the port of a probe socket'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}: ${stderr()}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/data.json`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server at ${endpoint} not ready after 30 s: ${stderr()}`);
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('moto_server did not start (no PID)');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    }, 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilReady(endpoint, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...existingMoto(endpoint), pid, stop };
}

/** A moto_server someone else started (the integration tests' own): reset as usual, never stopped here. */
export function existingMoto(endpoint: string): MotoServer {
  return {
    endpoint,
    pid: -1,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    async stop() {},
  };
}
