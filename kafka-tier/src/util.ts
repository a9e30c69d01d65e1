import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

/** Repository root (the folder holding kafka-tier/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Ignored cache of the tier: Maven build output, Kafka jars, synth outputs, run directories. */
export const TIER_CACHE = path.resolve(__dirname, '..', '.cache');

const t0 = Date.now();
export function log(msg: string): void {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[kafka-tier ${s}s] ${msg}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An error that ends a waitFor at once (e.g. the process being waited for has exited). */
export class Fatal extends Error {}

/** Polls `fn` until it returns a truthy value or the timeout passes (then throws with the last value). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
      last = v;
    } catch (e) {
      if (e instanceof Fatal) throw e;
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(everyMs);
  }
}

/** A free TCP port on 127.0.0.1 (bound once and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Is something accepting connections on 127.0.0.1:port? */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => { s.destroy(); resolve(false); });
  });
}

export function writeFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** Java properties text; values are escaped the way java.util.Properties reads them back. */
export function propertiesText(entries: [string, string][], header?: string): string {
  const esc = (s: string, key: boolean) => s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(key ? /([ =:#!])/g : /^([ #!])/g, '\\$1');
  return (header ? `# ${header}\n` : '') + entries.map(([k, v]) => `${esc(k, true)}=${esc(v, false)}`).join('\n') + '\n';
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function randomPassword(len = 32): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = require('crypto').randomBytes(len) as Buffer;
  return Array.from(bytes, (b) => chars[b % chars.length]).join('');
}
