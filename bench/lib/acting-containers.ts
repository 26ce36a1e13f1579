import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readZip } from '../../test/helpers/template.ts';
import type { PackagedFunction } from './functions.ts';

/**
 * A Lambda container stood in by a child `node` process: the function's zip extracted into its own
 * task root (no node_modules, as in Lambda), the handler module imported from there with the
 * function's environment, then invoked over IPC with real-shaped events, one invocation at a time.
 * The import happens before the bench's clock starts (cold imports are the bundles section's figure);
 * everything the handler does on its first call (clients, policy compilation) is inside the clock.
 */
export function extractZip(fn: PackagedFunction, root: string): string {
  const dir = join(root, fn.name);
  for (const [path, data] of readZip(fn.zipPath)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  return dir;
}

const CHILD = `
const [file, exportName, name] = process.argv.slice(1);
const mod = await import(file);
const handler = mod[exportName];
let n = 0;
process.on('message', async ({ id, event }) => {
  n += 1;
  const context = {
    functionName: name, functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + name,
    memoryLimitInMB: '256', awsRequestId: name + '-' + process.pid + '-' + n,
    logGroupName: '/aws/lambda/' + name, logStreamName: 'bench', callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60000, done() {}, fail() {}, succeed() {},
  };
  const t = performance.now();
  try {
    const result = await handler(event, context);
    process.send({ id, ok: true, result, ms: performance.now() - t });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.name) + ': ' + String(error?.message), ms: performance.now() - t });
  }
});
process.send({ ready: true });
`;

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
  ms: number;
}

export class Container {
  /** The handler's last ERROR/WARN log lines (Powertools JSON), at most 20. */
  readonly problems: string[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #next = 0;
  #stderr = '';

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!/"level":"(ERROR|WARN)"/.test(line)) continue;
        this.problems.push(line.slice(0, 600));
        if (this.problems.length > 20) this.problems.shift();
      }
    });
    child.on('message', (message: Reply) => {
      this.#pending.get(message.id)?.(message);
      this.#pending.delete(message.id);
    });
    child.on('exit', (code) => {
      for (const resolve of this.#pending.values()) {
        resolve({ id: -1, ok: false, error: `container exited (${code}): ${this.#stderr}`, ms: 0 });
      }
      this.#pending.clear();
    });
  }

  /** Starts the process and imports the handler; resolves once it is ready to be invoked. */
  static async start(taskRoot: string, fn: PackagedFunction, env: Record<string, string>): Promise<Container> {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', CHILD, pathToFileURL(join(taskRoot, fn.module)).href, fn.exportName, fn.name],
      // Logs (stdout) are read as Lambda ships them; only ERROR/WARN lines are kept (the last 20).
      { cwd: taskRoot, env: { ...env, LAMBDA_TASK_ROOT: taskRoot }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    const container = new Container(child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`${fn.name} container exited (${code}): ${container.#stderr}`)));
    });
    return container;
  }

  invoke(event: unknown): Promise<Reply> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#child.send({ id, event });
    });
  }

  async stop(): Promise<void> {
    const pid = this.#child.pid;
    if (pid === undefined || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    process.kill(pid, 'SIGTERM');
    await exited;
  }
}
