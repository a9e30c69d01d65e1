/**
 * A minimal Kubernetes API client: GET a path as JSON or text, or stream it line by line, over http(s) with the
 * kubeconfig's CA, client certificate or token. Failures become a KubeError that says what went wrong and what to
 * do, in the words of the person running the command.
 */
import * as http from 'http';
import * as https from 'https';
import { Connection } from './kubeconfig';

/**
 * - unreachable: no answer (refused, DNS, timeout, TLS); unauthorized: 401; forbidden: 403; not-found: 404;
 * - failed: any other error answer.
 */
export type KubeErrorKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'failed';

export class KubeError extends Error {
  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }

  /** Whether the cluster as a whole cannot be used (as opposed to one resource or one permission). */
  get isFatal(): boolean {
    return this.kind === 'unreachable' || this.kind === 'unauthorized';
  }
}

/** Default time to wait for an answer (not for a whole followed stream). */
const TIMEOUT_MS = 15_000;

export class KubeApi {
  constructor(
    readonly connection: Connection,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  async getJson<T>(path: string): Promise<T> {
    return JSON.parse(await this.getText(path)) as T;
  }

  async getText(path: string): Promise<string> {
    const response = await this.request(path, this.timeoutMs);
    try {
      return (await readAll(response)).toString('utf8');
    } catch (e) {
      throw this.connectionError(e as NodeJS.ErrnoException);
    }
  }

  /** Calls `onLine` for every line of the answer until the server ends it. */
  async streamLines(path: string, onLine: (line: string) => void): Promise<void> {
    const response = await this.request(path, 0);
    let rest = '';
    response.setEncoding('utf8');
    await new Promise<void>((done, fail) => {
      response.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) onLine(line.replace(/\r$/, ''));
      });
      response.on('end', () => {
        if (rest) onLine(rest);
        done();
      });
      response.on('error', fail);
    });
  }

  /** Sends a GET; resolves with a 2xx response, or rejects with a KubeError. `timeoutMs` 0 = none once answered. */
  private request(path: string, timeoutMs: number): Promise<http.IncomingMessage> {
    const c = this.connection;
    const url = new URL(c.server + path);
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/json, */*', 'User-Agent': 'shared-topic-mesh-ops' };
    if (c.token) headers.Authorization = `Bearer ${c.token}`;
    const options: https.RequestOptions = {
      method: 'GET',
      headers,
      ...(url.protocol === 'https:'
        ? { ca: c.certificateAuthority, cert: c.clientCertificate, key: c.clientKey, rejectUnauthorized: !c.insecureSkipTlsVerify }
        : {}),
    };
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((answered, fail) => {
      const req = transport.request(url, options, async (response) => {
        req.setTimeout(timeoutMs);
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) return answered(response);
        const body = (await readAll(response).catch(() => Buffer.alloc(0))).toString('utf8');
        fail(this.answerError(status, body));
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => fail(this.connectionError(e as NodeJS.ErrnoException)));
      req.end();
    });
  }

  private where(): string {
    return `${this.connection.server} (context ${this.connection.context})`;
  }

  private connectionError(e: NodeJS.ErrnoException): KubeError {
    const server = this.where();
    const code = e.code ?? '';
    const point = 'point KUBECONFIG (or the mesh file\'s `kubeconfig` and `context`) at the cluster you deployed to';
    if (code === 'ECONNREFUSED') return new KubeError('unreachable', `connection refused by ${server}: nothing listens there`, `start the cluster if it is stopped (see "kind get clusters" or "minikube status"), or ${point}`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new KubeError('unreachable', `cannot resolve the host of ${server} (DNS: ${code})`, `check the server address and your network or VPN, or ${point}`);
    if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new KubeError('unreachable', `no answer from ${server} within ${this.timeoutMs / 1000} s (${code})`, `check your network, VPN or firewall, or ${point}`);
    if (/CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO/.test(code)) return new KubeError('unreachable', `TLS with ${server} failed: ${code}: ${e.message}`, "the kubeconfig's certificate-authority does not match the server's certificate: refresh the kubeconfig from the cluster");
    return new KubeError('unreachable', `cannot connect to ${server}: ${code || e.message}`, `start the cluster, or ${point}`);
  }

  private answerError(status: number, body: string): KubeError {
    let message = body.trim().slice(0, 300);
    try {
      const s = JSON.parse(body) as { kind?: string; message?: string };
      if (s.kind === 'Status' && s.message) message = s.message;
    } catch {
      // not a Status object: keep the text
    }
    const user = this.connection.user ? `user "${this.connection.user}"` : 'the anonymous user';
    if (status === 401) return new KubeError('unauthorized', `${this.where()} refused the credentials of ${user}: 401 Unauthorized`, 'the token or client certificate is missing, expired or wrong: refresh the kubeconfig (e.g. "kind export kubeconfig", or your cloud\'s get-credentials command)');
    if (status === 403) return new KubeError('forbidden', `403 Forbidden: ${message}`, `give ${user} read access (get, list) to Strimzi's resources, pods, pods/log and pods/proxy in the region namespaces`);
    if (status === 404) return new KubeError('not-found', message || '404 Not Found');
    return new KubeError('failed', `${status}: ${message}`);
  }
}

/** The whole body of a response. */
export function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
    stream.on('end', () => done(Buffer.concat(chunks)));
    stream.on('error', fail);
  });
}
