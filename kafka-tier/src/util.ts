import * as fs from 'fs';
import * as path from 'path';
import { cloneCache, REPO_ROOT } from '../../tier-support/cache';
import { freePort, freePorts, portOpen } from '../../tier-support/ports';
import { Fatal, sleep, tierLog, waitFor } from '../../tier-support/progress';

/** Repository root (the folder holding kafka-tier/). */
export { REPO_ROOT };
/** Ignored cache of the tier: Maven build output, Kafka jars, synth outputs, run directories. */
export const TIER_CACHE = cloneCache(path.resolve(__dirname, '..'));

export const log = tierLog('kafka-tier');
export { Fatal, freePort, freePorts, portOpen, sleep, waitFor };

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
