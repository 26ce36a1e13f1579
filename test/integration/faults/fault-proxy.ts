import { randomUUID } from 'node:crypto';
import { Agent, type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';
import { Prng } from '../../../shared/simulator/prng.ts';
import { type LocalHttpServer, startLocalHttpServer } from '../../helpers/local-http-server.ts';

/**
 * A fault proxy on 127.0.0.1 between the SDK clients and moto_server. Per request it names the
 * operation — JSON protocols (DynamoDB, SQS, EventBridge) by the `X-Amz-Target` header, query protocols
 * (Redshift, SNS) by `Action=` in the form body, the service by the SigV4 credential scope — and, by
 * seeded rules per operation, either
 * - `throttle`: answers a throttling error without forwarding (DynamoDB: 400 `ThrottlingException` or
 *   `ProvisionedThroughputExceededException` in JSON; query protocols: 400 `Throttling` in XML);
 * - `lost`: forwards, lets moto commit, then answers 500 (`InternalServerError` JSON / `InternalFailure`
 *   XML) — the write happened but its answer was lost, as DynamoDB documents it can;
 * - `reset`: destroys the connection without forwarding (the SDK sees ECONNRESET / socket hang up).
 *
 * Everything that reached moto is recorded, with the SDK's invocation id and attempt number (the
 * `amz-sdk-invocation-id` / `amz-sdk-request` headers), so a test counts real actions and tells the SDK
 * repeating one call apart from the code calling again.
 */
export type FaultKind = 'throttle' | 'lost' | 'reset';

export interface FaultRule {
  service: string;
  /** Operation names this rule applies to. */
  operations: readonly string[];
  kind: FaultKind;
  /** Probability per request, 0–1. */
  rate: number;
}

export interface ProxiedRequest {
  service: string;
  operation: string;
  /** Query protocols: the form fields; JSON protocols: the parsed body. */
  params: Record<string, unknown>;
  invocationId: string;
  attempt: number;
}

export interface ForwardedRequest extends ProxiedRequest {
  /** What moto answered (the SDK may have seen a 500 instead: `fault === 'lost'`). */
  motoStatus: number;
  fault: FaultKind | null;
  /** What the `gate` hook saw before forwarding (e.g. the cluster's state), if it ran. */
  observed: unknown;
}

export interface GateAnswer {
  /** Forward to moto (true) or answer `refusal` instead. */
  forward: boolean;
  observed: unknown;
  refusal?: { status: number; code: string; message: string };
}

export interface FaultProxyOptions {
  /** moto_server's endpoint, `http://127.0.0.1:PORT`. */
  target: string;
  seed: number | string;
  rules?: readonly FaultRule[];
  /**
   * Requests with the same key are forwarded one at a time (moto checks-then-writes across threads);
   * null: no queue.
   */
  serialize?: (request: ProxiedRequest) => string | null;
  /**
   * Operations the proxy answers itself with a success, without moto (`sns.Publish`, `events.PutEvents`):
   * a subscriber's view of what was published, recorded in `published`, at no cost in moto's time.
   */
  sink?: readonly string[];
  /**
   * Runs just before a request is forwarded, inside the service's serialized turn: reads moto directly
   * and may refuse the request the way AWS would where moto is laxer.
   */
  gate?: (request: ProxiedRequest) => Promise<GateAnswer | null>;
}

export interface FaultCounts {
  throttle: number;
  lost: number;
  reset: number;
}

const JSON_ERROR_PREFIX: Record<string, string> = {
  dynamodb: 'com.amazonaws.dynamodb.v20120810#',
  sqs: 'com.amazonaws.sqs#',
  events: '',
};

export class FaultProxy {
  readonly forwarded: ForwardedRequest[] = [];
  /** Requests the proxy answered itself (`sink`). */
  readonly published: ProxiedRequest[] = [];
  readonly injected: FaultCounts = { throttle: 0, lost: 0, reset: 0 };
  #rules: readonly FaultRule[];
  readonly #options: FaultProxyOptions;
  readonly #random: Prng;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 16 });
  readonly #turns = new Map<string, Promise<unknown>>();
  #server: LocalHttpServer | null = null;

  constructor(options: FaultProxyOptions) {
    this.#options = options;
    this.#rules = options.rules ?? [];
    this.#random = new Prng(`fault-proxy/${options.seed}`);
  }

  /** Replaces the rules (e.g. none while the test reads back what happened). */
  setRules(rules: readonly FaultRule[]): void {
    this.#rules = rules;
  }

  async start(): Promise<string> {
    this.#server = await startLocalHttpServer('fault proxy', (req, res) => this.#handle(req, res));
    return this.#server.url;
  }

  async stop(): Promise<void> {
    this.#agent.destroy();
    const server = this.#server;
    this.#server = null;
    await server?.close();
  }

  /** Forwarded requests of one operation. */
  calls(operation: string): ForwardedRequest[] {
    return this.forwarded.filter((f) => f.operation === operation);
  }

  async #handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const body = await readBody(req);
    const proxied = describeRequest(req.headers, body);
    const fault = this.#pickFault(proxied);
    if (fault === 'reset') {
      this.injected.reset += 1;
      req.socket.destroy();
      return;
    }
    if (fault === 'throttle') {
      this.injected.throttle += 1;
      const code =
        proxied.service === 'dynamodb' && this.#random.chance(0.5)
          ? 'ProvisionedThroughputExceededException'
          : 'ThrottlingException';
      sendError(res, proxied.service, 400, code, 'Rate exceeded');
      return;
    }
    if ((this.#options.sink ?? []).includes(`${proxied.service}.${proxied.operation}`)) {
      this.published.push(proxied);
      sendSuccess(res, proxied);
      return;
    }
    const answer = await this.#inTurn(proxied, async () => {
      const gate = this.#options.gate === undefined ? null : await this.#options.gate(proxied);
      if (gate !== null && !gate.forward) return { gate, moto: null };
      return { gate, moto: await this.#forward(req, body) };
    });
    if (answer.moto === null) {
      const refusal = answer.gate?.refusal ?? { status: 400, code: 'InvalidRequest', message: 'refused' };
      sendError(res, proxied.service, refusal.status, refusal.code, refusal.message);
      return;
    }
    this.forwarded.push({ ...proxied, motoStatus: answer.moto.status, fault, observed: answer.gate?.observed ?? null });
    if (fault === 'lost') {
      this.injected.lost += 1;
      const code =
        proxied.service === 'dynamodb' || proxied.service === 'sqs' ? 'InternalServerError' : 'InternalFailure';
      sendError(res, proxied.service, 500, code, 'We encountered an internal error. Please try again.');
      return;
    }
    res.writeHead(answer.moto.status, answer.moto.headers);
    res.end(answer.moto.body);
  }

  #pickFault(request: ProxiedRequest): FaultKind | null {
    for (const rule of this.#rules) {
      if (rule.service !== request.service || !rule.operations.includes(request.operation)) continue;
      // One draw per matching rule, always taken, so a seed replays the same sequence of faults.
      if (this.#random.chance(rule.rate)) return rule.kind;
    }
    return null;
  }

  async #inTurn<T>(request: ProxiedRequest, work: () => Promise<T>): Promise<T> {
    const service = this.#options.serialize?.(request) ?? null;
    if (service === null) return work();
    const previous = this.#turns.get(service) ?? Promise.resolve();
    const mine = previous.then(work);
    this.#turns.set(
      service,
      mine.catch(() => undefined),
    );
    return mine;
  }

  #forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    const target = new URL(this.#options.target);
    return new Promise((resolve, reject) => {
      const out = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: this.#agent,
        },
        (answer) => {
          readBody(answer).then((b) => {
            const headers = { ...answer.headers };
            delete headers['transfer-encoding'];
            headers['content-length'] = String(b.length);
            resolve({ status: answer.statusCode ?? 502, headers, body: b });
          }, reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Service from the SigV4 scope (`Credential=AKID/date/region/SERVICE/aws4_request`), operation by protocol. */
export function describeRequest(headers: IncomingHttpHeaders, body: Buffer): ProxiedRequest {
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ''));
  const service = scope?.[1] ?? '?';
  const sdkRequest = /attempt=(\d+)/.exec(String(headers['amz-sdk-request'] ?? ''));
  const common = {
    service,
    invocationId: String(headers['amz-sdk-invocation-id'] ?? randomUUID()),
    attempt: Number(sdkRequest?.[1] ?? '1'),
  };
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const operation = target.slice(target.lastIndexOf('.') + 1);
    let params: Record<string, unknown> = {};
    try {
      params = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      params = {};
    }
    return { ...common, operation, params };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  return { ...common, operation: form.get('Action') ?? '?', params: Object.fromEntries(form) };
}

/** The success answer of a sunk operation, in the shape its SDK parses. */
function sendSuccess(res: import('node:http').ServerResponse, request: ProxiedRequest): void {
  const id = randomUUID();
  if (request.service === 'events') {
    const entries = (request.params.Entries as unknown[] | undefined) ?? [];
    const json = JSON.stringify({ FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) });
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': id,
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
    return;
  }
  const action = request.operation;
  const xml = `<${action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><${action}Result><MessageId>${randomUUID()}</MessageId></${action}Result><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${action}Response>`;
  res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': id, 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

/** An error in the shape the service's protocol uses, so the SDK parses it to the modelled error name. */
function sendError(
  res: import('node:http').ServerResponse,
  service: string,
  status: number,
  code: string,
  message: string,
): void {
  const requestId = randomUUID();
  const prefix = JSON_ERROR_PREFIX[service];
  if (prefix !== undefined) {
    const json = JSON.stringify({ __type: `${prefix}${code}`, message });
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': code,
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
    return;
  }
  const type = status >= 500 ? 'Receiver' : 'Sender';
  const xml = `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  res.writeHead(status, {
    'content-type': 'text/xml',
    'x-amzn-requestid': requestId,
    'content-length': Buffer.byteLength(xml),
  });
  res.end(xml);
}
