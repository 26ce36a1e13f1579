import { randomUUID } from 'node:crypto';
import { Agent, type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { type LocalHttpServer, startLocalHttpServer } from '../../test/helpers/local-http-server.ts';

/**
 * A counting HTTP proxy on 127.0.0.1 in front of moto_server, for the acting bench. Every request is
 * named — the caller by the SigV4 access key id (each bench process signs with its own), the service by
 * the credential scope, the operation by `X-Amz-Target` (JSON protocols: DynamoDB, SQS, EventBridge,
 * Redshift Serverless) or `Action=` in the form body (query protocols: Redshift, SNS) — counted, timed,
 * and forwarded. Where moto falls short of AWS the proxy stands in, the same way for every caller:
 *
 * - DescribeClusters without an identifier, DescribeClusterSnapshots: moto ignores MaxRecords/Marker and
 *   answers everything in one page. The proxy asks moto once, keeps the answer, and serves it in pages
 *   of MaxRecords (AWS's default 100) with a Marker, so a caller makes the same number of calls it would
 *   make against AWS; the follow-up pages are served from that kept answer without asking moto again.
 * - DescribeClusterSnapshots with TagKeys/TagValues: moto ignores the tag filter (and keeps an automated
 *   snapshot per cluster); the proxy drops the snapshots AWS would not return — those with no tag whose
 *   key is one of TagKeys and, when TagValues is given, whose value is one of TagValues.
 * - DescribeIntegrations: moto has no zero-ETL integrations; the proxy answers an empty list in the
 *   query protocol's XML, as AWS answers an account with none.
 * - Redshift Serverless: moto has none; `List*` operations are answered with an empty list in the
 *   JSON protocol (an account with no workgroups or namespaces), anything else with
 *   ResourceNotFoundException.
 *
 * Answers the proxy makes itself are counted like any other call (they are calls the code makes) and
 * listed in `stubbed`.
 */
export interface CallRecord {
  caller: string;
  service: string;
  operation: string;
  /** Milliseconds from receiving the request to having the answer (moto's time, or ~0 when stubbed). */
  ms: number;
  stubbed: boolean;
}

interface Named {
  caller: string;
  service: string;
  operation: string;
  params: URLSearchParams | Record<string, unknown>;
}

const REDSHIFT_XMLNS = 'http://redshift.amazonaws.com/doc/2012-12-01/';
const SERVERLESS_LISTS: Record<string, string> = {
  ListWorkgroups: 'workgroups',
  ListNamespaces: 'namespaces',
  ListSnapshots: 'snapshots',
  ListUsageLimits: 'usageLimits',
  ListRecoveryPoints: 'recoveryPoints',
  ListTagsForResource: 'tags',
  ListEndpointAccess: 'endpoints',
};

export class CountingProxy {
  readonly calls: CallRecord[] = [];
  readonly #target: URL;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 32 });
  /** Pages kept for their markers: marker → the answer around the list, and the remaining items. */
  readonly #pages = new Map<string, { head: string; tail: string; list: string; items: string[] }>();
  #server: LocalHttpServer | null = null;

  constructor(motoEndpoint: string) {
    this.#target = new URL(motoEndpoint);
  }

  async start(): Promise<string> {
    this.#server = await startLocalHttpServer('counting proxy', (req, res) => this.#handle(req, res));
    return this.#server.url;
  }

  async stop(): Promise<void> {
    this.#agent.destroy();
    const server = this.#server;
    this.#server = null;
    await server?.close();
  }

  /** The calls recorded since the last take, and forget them (and any kept DescribeClusters pages). */
  take(): CallRecord[] {
    this.#pages.clear();
    return this.calls.splice(0, this.calls.length);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = performance.now();
    const body = await readBody(req);
    const named = nameRequest(req.headers, body);
    const stub = this.#stub(named);
    let answer: Answer;
    if (stub !== null) answer = stub;
    else if (named.service === 'redshift' && named.operation === 'DescribeClusters') {
      const params = named.params as URLSearchParams;
      answer =
        params.get('ClusterIdentifier') === null
          ? await this.#paged(req, body, params, ['Clusters', 'Cluster'])
          : await this.#forward(req, body);
    } else if (named.service === 'redshift' && named.operation === 'DescribeClusterSnapshots') {
      const params = named.params as URLSearchParams;
      answer = await this.#paged(req, body, params, ['Snapshots', 'Snapshot'], snapshotTagFilter(params));
    } else answer = await this.#forward(req, body);
    this.calls.push({
      caller: named.caller,
      service: named.service,
      operation: named.operation,
      ms: performance.now() - start,
      stubbed: stub !== null,
    });
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  #stub(named: Named): Answer | null {
    if (named.service === 'redshift' && named.operation === 'DescribeIntegrations') {
      return xmlAnswer(
        `<DescribeIntegrationsResponse xmlns="${REDSHIFT_XMLNS}"><DescribeIntegrationsResult><Integrations/></DescribeIntegrationsResult>${responseMetadata()}</DescribeIntegrationsResponse>`,
      );
    }
    if (named.service === 'redshift-serverless') {
      const list = SERVERLESS_LISTS[named.operation];
      if (list !== undefined) return jsonAnswer(200, { [list]: [] });
      if (named.operation.startsWith('List')) return jsonAnswer(200, {});
      return jsonAnswer(400, { __type: 'ResourceNotFoundException', message: 'moto has no Redshift Serverless' });
    }
    return null;
  }

  /** Pages of MaxRecords (default 100, as AWS) out of moto's single answer; see the class comment. */
  async #paged(
    req: IncomingMessage,
    body: Buffer,
    params: URLSearchParams,
    [list, item]: [string, string],
    keep: (item: string) => boolean = () => true,
  ): Promise<Answer> {
    const size = Math.max(20, Math.min(100, Number(params.get('MaxRecords') ?? 100) || 100));
    const marker = params.get('Marker');
    let kept = marker === null ? undefined : this.#pages.get(marker);
    if (marker !== null) {
      this.#pages.delete(marker);
      if (kept === undefined) {
        return xmlError(400, 'InvalidParameterValue', `Marker ${marker} is not a marker this proxy handed out`);
      }
    } else {
      const moto = await this.#forward(req, body);
      const text = moto.body.toString('utf8');
      const open = text.indexOf(`<${list}>`);
      const close = text.lastIndexOf(`</${list}>`);
      if (moto.status !== 200 || open < 0 || close < 0) return moto;
      const inner = text.slice(open + list.length + 2, close);
      const items = (inner.match(new RegExp(`<${item}>[\\s\\S]*?</${item}>`, 'g')) ?? []).filter(keep);
      kept = { head: text.slice(0, open), tail: text.slice(close + list.length + 3), list, items };
    }
    const page = kept.items.slice(0, size);
    const rest = kept.items.slice(size);
    let markerXml = '';
    if (rest.length > 0) {
      const next = randomUUID();
      this.#pages.set(next, { ...kept, items: rest });
      markerXml = `<Marker>${next}</Marker>`;
    }
    return xmlAnswer(`${kept.head}${markerXml}<${kept.list}>${page.join('')}</${kept.list}>${kept.tail}`);
  }

  #forward(req: IncomingMessage, body: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const out = request(
        {
          host: this.#target.hostname,
          port: this.#target.port,
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

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Caller (access key id), service (credential scope) and operation of one signed request. */
export function nameRequest(headers: IncomingHttpHeaders, body: Buffer): Named {
  const auth = String(headers.authorization ?? '');
  const scope = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth);
  const caller = scope?.[1] ?? '?';
  const service = scope?.[2] ?? '?';
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    let params: Record<string, unknown> = {};
    try {
      params = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      params = {};
    }
    return { caller, service, operation: target.slice(target.lastIndexOf('.') + 1), params };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  return { caller, service, operation: form.get('Action') ?? '?', params: form };
}

/** `TagKeys.member.N` / `TagValues.member.N` → whether a `<Snapshot>` element is one AWS would return. */
function snapshotTagFilter(params: URLSearchParams): (item: string) => boolean {
  const values = (prefix: string) =>
    [...params.entries()].filter(([k]) => k.startsWith(`${prefix}.`)).map(([, v]) => v);
  const keys = values('TagKeys');
  const wanted = values('TagValues');
  if (keys.length === 0 && wanted.length === 0) return () => true;
  return (snapshot) =>
    [...snapshot.matchAll(/<Tag><Key>([^<]*)<\/Key><Value>([^<]*)<\/Value><\/Tag>/g)].some(
      ([, key = '', value = '']) =>
        (keys.length === 0 || keys.includes(key)) && (wanted.length === 0 || wanted.includes(value)),
    );
}

function responseMetadata(): string {
  return `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
}

function xmlAnswer(xml: string): Answer {
  const body = Buffer.from(xml);
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID(), 'content-length': String(body.length) },
    body,
  };
}

function xmlError(status: number, code: string, message: string): Answer {
  const body = Buffer.from(
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
  return { status, headers: { 'content-type': 'text/xml', 'content-length': String(body.length) }, body };
}

function jsonAnswer(status: number, value: unknown): Answer {
  const body = Buffer.from(JSON.stringify(value));
  const headers: IncomingHttpHeaders = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
    'content-length': String(body.length),
  };
  const type = (value as { __type?: unknown }).__type;
  if (status >= 400 && typeof type === 'string') headers['x-amzn-errortype'] = type;
  return { status, headers, body };
}
