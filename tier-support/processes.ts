/**
 * The servers a tier starts (brokers, Connect workers, etcd, the API server ...): each a child process with its output
 * in a log file, tracked by pid in the run directory, and always stopped: by the tier at the end, on failure, when
 * this process exits or is interrupted, and by a later run that finds processes an interrupted run left behind
 * (recognised by the run marker in their environment, so a reused pid is never hit).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Fatal, sleep } from './progress';

/** Environment variable every started process carries: the run directory it belongs to. */
const RUN_MARKER = 'MESH_TIER_RUN';

export interface ServerSpec {
  /** Short name, unique in its run (also the log and pid file name). */
  readonly name: string;
  /** The run directory: `logs/<name>.log` and `pids/<name>.pid` go there. */
  readonly runDir: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Record<string, string>;
}

/** Every child process a tier started and that still runs: killed when this process exits or is interrupted. */
const live = new Set<ChildProcess>();

function killAllSync(): void {
  for (const child of live) {
    try { if (child.pid) process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

/** Kills `child` if it still runs when this process exits (Server does this for itself). */
export function killOnExit(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** The environment that marks a process as belonging to a run (see reapStaleRuns). */
export function runMarker(runDir: string): Record<string, string> {
  return { [RUN_MARKER]: path.resolve(runDir) };
}
process.once('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAllSync();
    process.exit(130);
  });
}

/** A started server process. */
export class Server {
  readonly logFile: string;
  private exited: { code: number | null; signal: string | null } | undefined;
  private readonly child: ChildProcess;

  private constructor(readonly spec: ServerSpec) {
    const logs = path.join(spec.runDir, 'logs');
    const pids = path.join(spec.runDir, 'pids');
    fs.mkdirSync(logs, { recursive: true });
    fs.mkdirSync(pids, { recursive: true });
    this.logFile = path.join(logs, `${spec.name}.log`);
    const out = fs.openSync(this.logFile, 'a');
    this.child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env, ...runMarker(spec.runDir) },
      stdio: ['ignore', out, out],
      // Its own process group: a signal to the tier's terminal does not reach it before the tier stops it in order.
      detached: true,
    });
    fs.closeSync(out);
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
    });
    fs.writeFileSync(path.join(pids, `${spec.name}.pid`), String(this.child.pid));
    killOnExit(this.child);
  }

  static start(spec: ServerSpec): Server {
    return new Server(spec);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  /** Throws Fatal (ends any waitFor at once) if the process has exited, with the end of its log. */
  assertRunning(): void {
    if (this.exited) {
      throw new Fatal(`${this.spec.name} exited (code ${this.exited.code}, signal ${this.exited.signal}); last lines of ${this.logFile}:\n${tail(this.logFile, 20)}`);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running || !this.child.pid) return;
    try { process.kill(this.child.pid, 'SIGTERM'); } catch { /* gone */ }
    const end = Date.now() + graceMs;
    while (this.running && Date.now() < end) await sleep(100);
    if (this.running) this.killSync();
    while (this.running) await sleep(50);
  }

  /** SIGKILL now (also what happens to every live server when the tier's process exits). */
  killSync(): void {
    try { if (this.child.pid) process.kill(this.child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

/** Stops servers in the order given (dependents first), each with its grace period. */
export async function stopAll(servers: readonly (Server | undefined)[], graceMs = 10_000): Promise<void> {
  for (const s of servers) if (s) await s.stop(graceMs);
}

/**
 * Ends processes that interrupted runs left behind under `runsDir` (one subfolder per run, each with pids/), except
 * the run `keep`, then removes those run folders. A pid is killed only if its environment carries that run's marker.
 */
export function reapStaleRuns(runsDir: string, log: (m: string) => void, keep?: string): void {
  if (!fs.existsSync(runsDir)) return;
  for (const run of fs.readdirSync(runsDir)) {
    const dir = path.resolve(runsDir, run);
    if (keep && dir === path.resolve(keep)) continue;
    const pids = path.join(dir, 'pids');
    if (fs.existsSync(pids)) {
      for (const f of fs.readdirSync(pids)) {
        const pid = Number(fs.readFileSync(path.join(pids, f), 'utf8'));
        if (belongsTo(pid, dir)) {
          try {
            process.kill(pid, 'SIGKILL');
            log(`ended process ${pid} (${f}) left by an earlier run`);
          } catch { /* gone */ }
        }
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function belongsTo(pid: number, runDir: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${RUN_MARKER}=${runDir}`);
  } catch {
    return false;
  }
}

/** The last `lines` lines of a file ('' if it cannot be read). */
export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
