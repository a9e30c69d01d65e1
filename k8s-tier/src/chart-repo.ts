/**
 * A Helm chart repository on 127.0.0.1: serves chart archives and an `index.yaml` made from their `Chart.yaml`
 * (name, version, appVersion, sha256 digest), which is all Helm (and the Helm provider) read from a repository.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { parse, stringify } from 'yaml';

export class ChartRepository {
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    /** Every request, as "GET /path status", for assertions (e.g. the charts were really fetched from here). */
    readonly requests: string[],
  ) {}

  /** Serves every `*.tgz` chart archive in `dir`. */
  static async start(dir: string): Promise<ChartRepository> {
    const archives = fs.readdirSync(dir).filter((f) => f.endsWith('.tgz')).sort();
    if (!archives.length) throw new Error(`no chart archives (*.tgz) in ${dir}`);
    const requests: string[] = [];
    const charts = archives.map((file) => describe(dir, file));
    let url = '';
    const server = http.createServer((req, res) => {
      const name = decodeURIComponent((req.url ?? '/').split('?')[0].replace(/^\/+/, ''));
      const send = (status: number, body: Buffer | string, type: string) => {
        requests.push(`${req.method} /${name} ${status}`);
        res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (name === 'index.yaml') return send(200, index(charts, url), 'application/x-yaml');
      if (archives.includes(name)) return send(200, fs.readFileSync(path.join(dir, name)), 'application/gzip');
      send(404, 'not found\n', 'text/plain');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return new ChartRepository(server, url, requests);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface ChartArchive {
  readonly file: string;
  /** Its Chart.yaml. */
  readonly chart: Record<string, unknown>;
  readonly digest: string;
  readonly created: string;
}

/** A chart archive holds <chart>/Chart.yaml at its top. */
function describe(dir: string, file: string): ChartArchive {
  const archive = path.join(dir, file);
  const chart = parse(execFileSync('tar', ['-xzOf', archive, '--wildcards', '--no-wildcards-match-slash', '*/Chart.yaml'], { encoding: 'utf8' })) as Record<string, unknown>;
  const digest = createHash('sha256').update(fs.readFileSync(archive)).digest('hex');
  return { file, chart, digest, created: fs.statSync(archive).mtime.toISOString() };
}

/** The repository index (Helm's `index.yaml`, apiVersion v1). */
function index(charts: readonly ChartArchive[], url: string): string {
  const entries: Record<string, unknown[]> = {};
  for (const { file, chart, digest, created } of charts) {
    (entries[String(chart.name)] ??= []).push({ ...chart, urls: [`${url}/${file}`], digest, created });
  }
  return stringify({ apiVersion: 'v1', entries, generated: new Date().toISOString() });
}
