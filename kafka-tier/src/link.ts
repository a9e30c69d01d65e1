/**
 * The slow, long links between regions: a link emulator (Toxiproxy, github.com/Shopify/toxiproxy/v2) between every
 * MirrorMaker 2 and each of its remote sources. Per ordered region pair `<source>-><target>` one Toxiproxy proxy on
 * 127.0.0.1, whose upstream is a listener of the source broker of its own (`WAN<n>`), which advertises the proxy's
 * address: the target's MirrorMaker 2 bootstraps through the proxy and the source's metadata sends it back there, so
 * every byte it exchanges with the source crosses the link, while clients of the source region (the harness, the
 * apps, the source's own MirrorMaker 2) use the source's ordinary listener and stay local.
 *
 * Per direction a link has a latency and jitter (Toxiproxy's latency toxic) and optionally a bandwidth cap (its
 * bandwidth toxic), and a meter (the emulator's own toxic, kafka-tier/link/main.go) counts the bytes that cross.
 * `upstream` is MirrorMaker 2 -> source (fetch requests), `downstream` source -> MirrorMaker 2 (the records).
 *
 * The emulator is built once per machine with `go build` (kafka-tier/link: Toxiproxy's server library plus the meter)
 * into the machine cache, keyed by Toxiproxy's version, the Go version and a digest of the module's files.
 */
import { createHash } from 'crypto';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { MACHINE_CACHE } from '../../tier-support/cache';
import { Server } from '../../tier-support/processes';
import { log, waitFor } from './util';

const MODULE_DIR = path.resolve(__dirname, '..', 'link');
const TOXIPROXY_MODULE = 'github.com/Shopify/toxiproxy/v2';

/** One direction of a link. */
export interface Direction {
  /** Added delay, ms. */
  readonly latencyMs: number;
  /** Random variation of the delay, +/- ms (Toxiproxy's latency toxic: uniform in [latency - jitter, latency + jitter)). */
  readonly jitterMs: number;
  /** Bandwidth cap in kilobytes (1000 bytes) per second; undefined = none. */
  readonly rateKBps?: number;
}

export interface LinkSpec {
  /** MirrorMaker 2 -> source broker: its requests. */
  readonly upstream: Direction;
  /** Source broker -> MirrorMaker 2: the responses, i.e. the records. */
  readonly downstream: Direction;
}

/** A link with the round trip split evenly over both directions, the same jitter and cap in each. */
export function symmetricLink(o: { rttMs: number; jitterMs?: number; rateKBps?: number }): LinkSpec {
  const one: Direction = { latencyMs: o.rttMs / 2, jitterMs: o.jitterMs ?? 0, ...(o.rateKBps ? { rateKBps: o.rateKBps } : {}) };
  return { upstream: one, downstream: one };
}

export const NO_DELAY: LinkSpec = symmetricLink({ rttMs: 0 });

/**
 * The links a run starts with, from KAFKA_TIER_LINKS (JSON): `{"*": {...}, "<sourceAlias>-><targetAlias>": {...}}`,
 * each value either `{"rttMs": 250, "jitterMs": 5, "rateKBps": 12500}` (split evenly over both directions) or
 * `{"upstream": {"latencyMs": ..., "jitterMs": ..., "rateKBps": ...}, "downstream": {...}}`. Unset: no delay.
 */
export function configuredLinks(text = process.env.KAFKA_TIER_LINKS): (pair: string) => LinkSpec {
  if (!text) return () => NO_DELAY;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`KAFKA_TIER_LINKS is not JSON: ${(e as Error).message}`);
  }
  const specs = new Map<string, LinkSpec>();
  for (const [pair, v] of Object.entries(parsed)) specs.set(pair, linkSpec(v, `KAFKA_TIER_LINKS[${JSON.stringify(pair)}]`));
  return (pair) => specs.get(pair) ?? specs.get('*') ?? NO_DELAY;
}

function linkSpec(v: any, where: string): LinkSpec {
  const num = (x: unknown, name: string, min = 0) => {
    if (x === undefined) return undefined;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min) throw new Error(`${where}.${name}: must be a number >= ${min}, got ${JSON.stringify(x)}`);
    return x;
  };
  const direction = (d: any, name: string): Direction => ({
    latencyMs: num(d?.latencyMs, `${name}.latencyMs`) ?? 0,
    jitterMs: num(d?.jitterMs, `${name}.jitterMs`) ?? 0,
    ...(d?.rateKBps !== undefined ? { rateKBps: num(d.rateKBps, `${name}.rateKBps`, 1) } : {}),
  });
  if (v && typeof v === 'object' && ('upstream' in v || 'downstream' in v)) return { upstream: direction(v.upstream, 'upstream'), downstream: direction(v.downstream, 'downstream') };
  if (!v || typeof v !== 'object') throw new Error(`${where}: must be an object, got ${JSON.stringify(v)}`);
  return symmetricLink({ rttMs: num(v.rttMs, 'rttMs') ?? 0, jitterMs: num(v.jitterMs, 'jitterMs'), rateKBps: num(v.rateKBps, 'rateKBps', 1) });
}

export function describeLink(s: LinkSpec): string {
  const d = (x: Direction) => `${x.latencyMs} ms${x.jitterMs ? ` +/- ${x.jitterMs}` : ''}${x.rateKBps ? `, ${x.rateKBps} KB/s` : ''}`;
  return `up ${d(s.upstream)} / down ${d(s.downstream)}`;
}

/** Toxiproxy's version, as kafka-tier/link/go.mod requires it. */
export function toxiproxyVersion(): string {
  const mod = fs.readFileSync(path.join(MODULE_DIR, 'go.mod'), 'utf8');
  const m = new RegExp(`^\\s*(?:require\\s+)?${TOXIPROXY_MODULE.replace(/[./]/g, '\\$&')}\\s+(v\\S+)`, 'm').exec(mod);
  if (!m) throw new Error(`kafka-tier/link/go.mod does not require ${TOXIPROXY_MODULE}`);
  return m[1];
}

/**
 * The emulator binary: built with `go build` on first use into `<machine cache>/kafka-tier/link-emulator-toxiproxy-
 * <version>-<go version>-<digest of the module's files>/`, found there afterwards (also from a fresh clone).
 */
export function ensureLinkEmulator(): string {
  const version = toxiproxyVersion();
  let goVersion: string;
  try {
    goVersion = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
  } catch (e) {
    throw new Error(`the Kafka tier's link emulator is built with Go (1.23 or newer), and \`go\` is not usable: ${(e as Error).message}`);
  }
  const digest = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) digest.update(f).update(fs.readFileSync(path.join(MODULE_DIR, f)));
  const dir = path.join(MACHINE_CACHE, 'kafka-tier', `link-emulator-toxiproxy-${version}-${goVersion}-${digest.digest('hex').slice(0, 12)}`);
  const bin = path.join(dir, 'link-emulator');
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  log(`building the link emulator (Toxiproxy ${version}, ${goVersion}; modules from the Go module proxy) into ${dir} ...`);
  const tmp = `${bin}.${process.pid}.tmp`;
  execFileSync('go', ['build', '-trimpath', '-ldflags', `-s -w -X ${TOXIPROXY_MODULE}.Version=${version}`, '-o', tmp, '.'], {
    cwd: MODULE_DIR,
    env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 900_000,
  });
  fs.renameSync(tmp, bin);
  log(`link emulator built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return bin;
}

/** One emulated link: the proxy of an ordered region pair. */
export interface Link {
  /** `<sourceAlias>-><targetAlias>` */
  readonly name: string;
  readonly source: string;
  readonly target: string;
  /** where the proxy listens (what the source broker's WAN listener advertises) */
  readonly proxyPort: number;
  /** the source broker's WAN listener */
  readonly upstreamPort: number;
  spec: LinkSpec;
}

/** Bytes that crossed a link so far, per direction. */
export interface LinkBytes { upstream: number; downstream: number }

/** The running emulator: Toxiproxy's HTTP API on 127.0.0.1, one proxy per link. */
export class LinkEmulator {
  private server?: Server;
  readonly links = new Map<string, Link>();

  constructor(private readonly runDir: string, readonly apiPort: number) {}

  async start(): Promise<void> {
    const bin = ensureLinkEmulator();
    this.server = Server.start({ name: 'link-emulator', runDir: this.runDir, command: bin, args: ['-host', '127.0.0.1', '-port', String(this.apiPort)] });
    await waitFor('link emulator API', async () => {
      this.server!.assertRunning();
      return (await this.api('GET', '/version').catch(() => undefined)) !== undefined;
    }, 30_000, 100);
    log(`link emulator (Toxiproxy ${toxiproxyVersion()}) up on 127.0.0.1:${this.apiPort}`);
  }

  async stop(): Promise<void> {
    await this.server?.stop(5_000);
  }

  get running(): boolean { return !!this.server?.running; }

  /** Creates the proxy of a link (listening at once) with its meters, then applies its spec. */
  async add(link: Omit<Link, 'spec'>, spec: LinkSpec): Promise<void> {
    await this.api('POST', '/proxies', { name: link.name, listen: `127.0.0.1:${link.proxyPort}`, upstream: `127.0.0.1:${link.upstreamPort}`, enabled: true });
    // The meters first in each direction's chain: they are never removed, whatever is set later.
    for (const stream of ['upstream', 'downstream'] as const) {
      await this.api('POST', `/proxies/${encodeURIComponent(link.name)}/toxics`, { name: `meter_${stream}`, type: 'meter', stream, attributes: { key: `${link.name}/${stream}` } });
    }
    const l: Link = { ...link, spec: NO_DELAY };
    this.links.set(link.name, l);
    await this.set(link.name, spec);
  }

  /** Sets a link's latency, jitter and cap (live: open connections get the new toxics at once). */
  async set(name: string, spec: LinkSpec): Promise<void> {
    const link = this.links.get(name);
    if (!link) throw new Error(`no link ${name}`);
    const base = `/proxies/${encodeURIComponent(name)}/toxics`;
    const present: { name: string }[] = await this.api('GET', base);
    for (const t of present) if (!t.name.startsWith('meter_')) await this.api('DELETE', `${base}/${encodeURIComponent(t.name)}`);
    for (const stream of ['upstream', 'downstream'] as const) {
      const d = spec[stream];
      // Latency before the cap: the cap queues data that has already been delayed, as a long link's bottleneck does
      // (the bandwidth toxic keeps the chunks' timestamps; a latency toxic after it would count the queueing as delay).
      if (d.latencyMs > 0 || d.jitterMs > 0) await this.api('POST', base, { name: `latency_${stream}`, type: 'latency', stream, attributes: { latency: Math.round(d.latencyMs), jitter: Math.round(d.jitterMs) } });
      if (d.rateKBps) await this.api('POST', base, { name: `bandwidth_${stream}`, type: 'bandwidth', stream, attributes: { rate: Math.round(d.rateKBps) } });
    }
    link.spec = spec;
  }

  async setAll(spec: LinkSpec, names = [...this.links.keys()]): Promise<void> {
    for (const n of names) await this.set(n, spec);
  }

  /** Bytes that crossed each link so far, per direction. */
  async bytes(): Promise<Map<string, LinkBytes>> {
    const meters: Record<string, number> = await this.api('GET', '/meters');
    const out = new Map<string, LinkBytes>();
    for (const name of this.links.keys()) out.set(name, { upstream: meters[`${name}/upstream`] ?? 0, downstream: meters[`${name}/downstream`] ?? 0 });
    return out;
  }

  /** Toxiproxy HTTP API call (no keep-alive, so that nothing outlives the run). */
  private api(method: string, p: string, body?: unknown): Promise<any> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request({ host: '127.0.0.1', port: this.apiPort, path: p, method, agent: false, timeout: 15_000,
        headers: { 'content-type': 'application/json', 'user-agent': 'kafka-tier', ...(data ? { 'content-length': Buffer.byteLength(data) } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) reject(new Error(`link emulator ${method} ${p}: ${status} ${text}`));
          else resolve(text ? JSON.parse(text) : undefined);
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }
}
