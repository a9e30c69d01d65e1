/**
 * Progress lines of a tier, each stamped with the seconds since the tier started, and the polling helper every
 * tier waits with (a wait that lasts prints what it waits for, so a long run never looks hung).
 */
const t0 = Date.now();

export type Log = (msg: string) => void;

/** A logger for one tier: `[<name>   12.3s] message`. */
export function tierLog(name: string): Log {
  return (msg: string) => {
    const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
    process.stdout.write(`[${name} ${s}s] ${msg}\n`);
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An error that ends a waitFor at once (e.g. the process being waited for has exited). */
export class Fatal extends Error {}

export interface WaitOptions {
  /** Poll interval. @default 500 */
  readonly everyMs?: number;
  /** Say "still waiting for ..." this often. @default - never */
  readonly reportEveryMs?: number;
  readonly log?: Log;
}

/** Polls `fn` until it returns a truthy value or the timeout passes (then throws with the last value or error). */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  everyMsOrOptions: number | WaitOptions = 500,
): Promise<T> {
  const o: WaitOptions = typeof everyMsOrOptions === 'number' ? { everyMs: everyMsOrOptions } : everyMsOrOptions;
  const start = Date.now();
  const end = start + timeoutMs;
  let nextReport = o.reportEveryMs ? start + o.reportEveryMs : Infinity;
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
    const now = Date.now();
    if (now > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    if (now >= nextReport && o.log) {
      o.log(`still waiting for ${what} (${Math.round((now - start) / 1000)} s)`);
      nextReport = now + o.reportEveryMs!;
    }
    await sleep(o.everyMs ?? 500);
  }
}
