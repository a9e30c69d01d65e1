/**
 * A small Kubernetes API client for the tier: JSON requests (get, list, create, patch, replace, delete, the status
 * subresource) and watches, with the kubeconfig's credentials. Only what the tier and its stand-in operator need.
 */
import * as https from 'https';
import * as http from 'http';
import { readAll } from '../../ops/kube-api';
import { Connection, Kubeconfig } from '../../ops/kubeconfig';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectList<T = KubeObject> {
  items: T[];
  metadata: { resourceVersion?: string };
}

export interface WatchEvent<T = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A non-2xx answer. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
  }
}

export class Kube {
  constructor(readonly connection: Connection) {}

  /** The client of a context (undefined: the current one) of a kubeconfig file. */
  static fromKubeconfig(file: string, context?: string): Kube {
    return new Kube(Kubeconfig.read({ paths: [file], from: 'mesh' }).connection(context));
  }

  get<T = KubeObject>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  /** GET, or undefined on 404. */
  async find<T = KubeObject>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  list<T = KubeObject>(path: string): Promise<ObjectList<T>> {
    return this.json<ObjectList<T>>('GET', path);
  }

  create<T = KubeObject>(path: string, body: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  replace<T = KubeObject>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PUT', path, body);
  }

  /** A JSON merge patch (RFC 7386). */
  mergePatch<T = KubeObject>(path: string, patch: unknown): Promise<T> {
    return this.json<T>('PATCH', path, patch, 'application/merge-patch+json');
  }

  /** A JSON patch (RFC 6902), e.g. a test-and-remove of one finalizer. */
  jsonPatch<T = KubeObject>(path: string, ops: unknown[]): Promise<T> {
    return this.json<T>('PATCH', path, ops, 'application/json-patch+json');
  }

  /** DELETE; resolves false if it was already gone. */
  async delete(path: string, body?: unknown): Promise<boolean> {
    try {
      await this.json('DELETE', path, body);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return false;
      throw e;
    }
  }

  /**
   * Watches a collection from `resourceVersion` until `signal` aborts or the server ends the stream; calls `onEvent`
   * for each event in order (awaiting it before the next).
   */
  async watch<T = KubeObject>(path: string, resourceVersion: string | undefined, onEvent: (e: WatchEvent<T>) => Promise<void> | void, signal: AbortSignal): Promise<void> {
    const sep = path.includes('?') ? '&' : '?';
    const query = `watch=true&allowWatchBookmarks=true&timeoutSeconds=300${resourceVersion ? `&resourceVersion=${resourceVersion}` : ''}`;
    const res = await this.send('GET', `${path}${sep}${query}`, undefined, undefined, signal);
    if ((res.statusCode ?? 0) >= 300) throw await this.error(res);
    let rest = '';
    let chain = Promise.resolve();
    res.setEncoding('utf8');
    // The first error of onEvent ends the watch and rejects it; it is caught here at once (never left as an
    // unhandled rejection while the stream runs on).
    let failure: unknown;
    await new Promise<void>((done, fail) => {
      const onAbort = () => { res.destroy(); done(); };
      const finish = () => {
        signal.removeEventListener('abort', onAbort);
        void chain.then(() => (failure !== undefined ? fail(failure) : done()));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      res.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) {
          if (!line.trim()) continue;
          const event = JSON.parse(line) as WatchEvent<T>;
          chain = chain
            .then(() => (failure === undefined ? onEvent(event) : undefined))
            .catch((e) => {
              if (failure === undefined) failure = e;
              res.destroy();
            });
        }
      });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', (e) => (signal.aborted ? done() : fail(e)));
    });
  }

  private async json<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await this.send(method, path, body, contentType);
    if ((res.statusCode ?? 0) >= 300) throw await this.error(res);
    const text = (await readAll(res)).toString('utf8');
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private send(method: string, path: string, body: unknown, contentType?: string, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const c = this.connection;
    const url = new URL(c.server + path);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/json', 'User-Agent': 'shared-topic-mesh-k8s-tier' };
    if (payload) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = payload.length;
    }
    if (c.token) headers.Authorization = `Bearer ${c.token}`;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((answered, fail) => {
      const req = transport.request(
        url,
        {
          method,
          headers,
          signal,
          ...(url.protocol === 'https:'
            ? { ca: c.certificateAuthority, cert: c.clientCertificate, key: c.clientKey, rejectUnauthorized: !c.insecureSkipTlsVerify }
            : {}),
        },
        answered,
      );
      req.on('error', fail);
      if (payload) req.write(payload);
      req.end();
    });
  }

  private async error(res: http.IncomingMessage): Promise<ApiError> {
    const text = (await readAll(res).catch(() => Buffer.alloc(0))).toString('utf8');
    let reason = '';
    let message = text.slice(0, 500);
    try {
      const s = JSON.parse(text) as { reason?: string; message?: string };
      reason = s.reason ?? '';
      message = s.message ?? message;
    } catch { /* not a Status */ }
    return new ApiError(res.statusCode ?? 0, reason, `${res.statusCode} ${reason}: ${message}`);
  }
}

/** The REST path of a namespaced custom resource collection or object. */
export function crPath(group: string, version: string, plural: string, namespace?: string, name?: string): string {
  return `/apis/${group}/${version}${namespace ? `/namespaces/${namespace}` : ''}/${plural}${name ? `/${name}` : ''}`;
}
