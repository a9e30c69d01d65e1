/**
 * A LOCAL FAKE of the Kubernetes API server, NOT a cluster: a real HTTP(S) server on 127.0.0.1 (random port) that
 * answers exactly the requests `npm run check` and `npm run follow` make, from the fixture files under
 * fixtures/<scenario>/<namespace>/. The fixtures are a recorded, realistic three-region demo (Strimzi 1.2.0 status
 * shapes, Kafka Exporter metrics, consumer logs), hand-built from Strimzi's and the apps' sources since no cluster
 * exists on the build machines; a scenario other than `healthy` only holds the files that differ.
 *
 * Like the real API server it: filters pods by label selector, answers Status objects for 401/403/404, proxies
 * `pods/<pod>:<port>/proxy/metrics` only to the pod that serves them, and serves logs with sinceSeconds, tailLines
 * and follow (streamed in small chunks, then ended) against the time the logs were recorded.
 */
import { existsSync, readFileSync } from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import { join } from 'path';

export const FIXTURES = join(__dirname, 'fixtures');

/** When the fixture logs were recorded: `sinceSeconds` counts back from here. */
export const RECORDED_AT = Date.parse('2026-11-22T10:45:00Z');

/** The port the Kafka Exporter serves /metrics on. */
const EXPORTER_PORT = 9404;

export interface FakeKubeOptions {
  /** Scenarios layered over `healthy` (later ones win), e.g. ['kafka-not-ready']. */
  readonly scenarios?: readonly string[];
  /** Require this bearer token (else 401). */
  readonly token?: string;
  /** Serve HTTPS with fixtures/tls/server.crt; accept client certificates signed by fixtures/tls/ca.crt. */
  readonly tls?: boolean;
  /** Require a client certificate signed by the test CA (else 401). */
  readonly clientCertificate?: boolean;
  /** Paths (without query) answered 403 for the user. */
  readonly forbid?: RegExp;
  /** Namespaces served from another namespace's fixtures (served -> recorded), for regions whose namespace is not their name. */
  readonly namespaces?: Readonly<Record<string, string>>;
}

export interface FakeKube {
  readonly url: string;
  /** Every request's path and query, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  const layers = [...(options.scenarios ?? []).slice().reverse(), 'healthy'];
  const requests: string[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://fake');
    const authorized =
      (options.token === undefined || req.headers.authorization === `Bearer ${options.token}`) &&
      (!options.clientCertificate || (req.socket as import('tls').TLSSocket).authorized === true);
    if (!authorized) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (options.forbid?.test(url.pathname)) return forbidden(res, url.pathname);
    if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const served = /\/namespaces\/([^/]+)\//.exec(url.pathname)?.[1];
    const recorded = served !== undefined ? options.namespaces?.[decodeURIComponent(served)] : undefined;
    if (recorded !== undefined) url.pathname = url.pathname.replace(`/namespaces/${served}/`, `/namespaces/${encodeURIComponent(recorded)}/`);
    route(layers, url, res);
  };
  const tls = join(FIXTURES, 'tls');
  const server = options.tls
    ? https.createServer(
        { cert: readFileSync(join(tls, 'server.crt')), key: readFileSync(join(tls, 'server.key')), ca: readFileSync(join(tls, 'ca.crt')), requestCert: true, rejectUnauthorized: false },
        handler,
      )
    : http.createServer(handler);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

/** A port nothing listens on (it was listening a moment ago). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((closed) => server.close(() => closed()));
  return port;
}

const STRIMZI = '/apis/kafka.strimzi.io/v1/namespaces/([^/]+)';

function route(layers: readonly string[], url: URL, res: http.ServerResponse): void {
  const path = url.pathname;
  const file = (ns: string, name: string) => fixture(layers, ns, name);
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^${STRIMZI}/kafkas/([^/]+)$`).exec(path))) return named(res, file(m[1], 'kafka.json'), 'kafkas', 'kafka.strimzi.io', m[2]);
  if ((m = new RegExp(`^${STRIMZI}/kafkamirrormaker2s/([^/]+)$`).exec(path))) return named(res, file(m[1], 'kafkamirrormaker2.json'), 'kafkamirrormaker2s', 'kafka.strimzi.io', m[2]);
  if ((m = new RegExp(`^${STRIMZI}/(kafkatopics|kafkausers)$`).exec(path))) {
    const kind = m[2] === 'kafkatopics' ? 'KafkaTopicList' : 'KafkaUserList';
    return json(res, 200, file(m[1], `${m[2]}.json`) ?? { apiVersion: 'kafka.strimzi.io/v1', kind, metadata: { continue: '', resourceVersion: '1' }, items: [] });
  }
  if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(path))) {
    return named(res, file(m[1], `deployment-${decodeURIComponent(m[2])}.json`), 'deployments', 'apps', m[2]);
  }
  if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path))) {
    const selector = url.searchParams.get('labelSelector') ?? '';
    const requirements = selector.split(',').filter(Boolean).map((r) => /^([^=!]+)==?([^=]*)$/.exec(r));
    if (requirements.some((r) => !r)) return status(res, 400, 'BadRequest', `unable to parse requirement: ${selector}`);
    const pods = podList(layers, m[1]);
    const items = pods.items.filter((p) => requirements.every((r) => p.metadata.labels?.[r![1]] === r![2]));
    return json(res, 200, { ...pods, items });
  }
  if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/:]+):(\d+)\/proxy\/metrics$/.exec(path))) {
    const pod = findPod(layers, m[1], decodeURIComponent(m[2]));
    if (!pod) return status(res, 404, 'NotFound', `pods "${decodeURIComponent(m[2])}" not found`, { name: decodeURIComponent(m[2]), kind: 'pods' });
    const metrics = pod.metadata.labels?.['strimzi.io/name']?.endsWith('-kafka-exporter') && Number(m[3]) === EXPORTER_PORT ? fixtureText(layers, m[1], 'kafka-exporter-metrics.txt') : undefined;
    if (metrics === undefined) return status(res, 503, 'ServiceUnavailable', `error trying to reach service: dial tcp ${pod.status?.podIP}:${m[3]}: connect: connection refused`);
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    return void res.end(metrics);
  }
  if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(path))) return log(layers, m[1], decodeURIComponent(m[2]), url.searchParams, res);
  status(res, 404, 'NotFound', 'the server could not find the requested resource');
}

function log(layers: readonly string[], ns: string, podName: string, query: URLSearchParams, res: http.ServerResponse): void {
  const pod = findPod(layers, ns, podName);
  if (!pod) return status(res, 404, 'NotFound', `pods "${podName}" not found`, { name: podName, kind: 'pods' });
  const container = query.get('container') ?? pod.spec.containers[0].name;
  if (!pod.spec.containers.some((c) => c.name === container)) return status(res, 400, 'BadRequest', `container ${container} is not valid for pod ${podName}`);
  let lines = (fixtureText(layers, ns, `logs/${podName}.log`) ?? '').split('\n').filter(Boolean);
  const since = query.get('sinceSeconds');
  if (since) lines = lines.filter((l) => Date.parse(l.slice(0, l.indexOf(' '))) >= RECORDED_AT - Number(since) * 1000);
  const tail = query.get('tailLines');
  if (tail) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
  if (query.get('timestamps') !== 'true') lines = lines.map((l) => l.slice(l.indexOf(' ') + 1));
  const text = lines.map((l) => `${l}\n`).join('');
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  if (query.get('follow') !== 'true') return void res.end(text);
  // Streamed in uneven chunks that split lines, as a followed log arrives; then the pod "stops".
  let at = 0;
  const next = () => {
    if (at >= text.length) return void res.end();
    const size = 37 + ((at * 7) % 180);
    res.write(text.slice(at, at + size));
    at += size;
    setTimeout(next, 2);
  };
  next();
}

interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { containers: { name: string }[] };
  status?: { podIP?: string };
}

function podList(layers: readonly string[], ns: string): { items: Pod[] } {
  return (fixture(layers, ns, 'pods.json') as { items: Pod[] } | undefined) ?? { items: [] };
}

function findPod(layers: readonly string[], ns: string, name: string): Pod | undefined {
  return podList(layers, ns).items.find((p) => p.metadata.name === name);
}

function fixtureText(layers: readonly string[], ns: string, name: string): string | undefined {
  for (const layer of layers) {
    const path = join(FIXTURES, layer, decodeURIComponent(ns), name);
    if (existsSync(path)) return readFileSync(path, 'utf8');
  }
  return undefined;
}

function fixture(layers: readonly string[], ns: string, name: string): unknown {
  const text = fixtureText(layers, ns, name);
  return text === undefined ? undefined : JSON.parse(text);
}

function named(res: http.ServerResponse, object: unknown, resource: string, group: string, name: string): void {
  const actual = (object as { metadata?: { name?: string } } | undefined)?.metadata?.name;
  if (object === undefined || actual !== decodeURIComponent(name)) {
    return status(res, 404, 'NotFound', `${resource}.${group} "${decodeURIComponent(name)}" not found`, { name: decodeURIComponent(name), group, kind: resource });
  }
  json(res, 200, object);
}

function forbidden(res: http.ServerResponse, path: string): void {
  // e.g. /apis/kafka.strimzi.io/v1/namespaces/europe/kafkas/europe -> kafkas.kafka.strimzi.io "europe" ... in the namespace "europe"
  const m = /^\/apis?\/(?:([^/]+)\/)?v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/(\w+))?/.exec(path);
  const [group, ns, resource, name, sub] = m ? [m[1] ?? '', m[2], m[3], m[4], m[5]] : ['', '', 'resource', '', ''];
  const [podName, port] = (name ?? '').split(':');
  const what = `${resource}${sub ? `/${sub}` : ''}${group ? `.${group}` : ''}${name ? ` "${port ? podName : name}"` : ''}`;
  const message = `${what} is forbidden: User "system:serviceaccount:default:viewer" cannot get resource "${resource}"${sub ? ` subresource "${sub}"` : ''} in API group "${group}" in the namespace "${ns}"`;
  status(res, 403, 'Forbidden', message, { name: port ? podName : name, group, kind: resource });
}

function status(res: http.ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>): void {
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function json(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
