/**
 * Java processes of the tier (brokers, Connect workers, the client agent): started on 127.0.0.1 with modest heaps,
 * tracked by pid, and always stopped — at the end of a run, on failure, when this process exits (tier-support's
 * killOnExit), and when a later run finds a process that an interrupted run left behind (tier-support's run marker
 * and reapStaleRuns).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { killOnExit, reapStaleRuns as reapRuns, runMarker } from '../../tier-support/processes';
import { log, TIER_CACHE } from './util';

export const LIB_DIR = path.join(TIER_CACHE, 'lib');
export const RUNS_DIR = path.join(TIER_CACHE, 'runs');
/** Heap of every JVM the tier starts (KAFKA_TIER_HEAP, default 512m). */
export const HEAP = process.env.KAFKA_TIER_HEAP ?? '512m';

const live = new Set<JavaProcess>();

/** Builds the agent and fetches Kafka's jars into .cache/lib (mvn package) unless they are up to date. */
export function ensureBuilt(): void {
  const tier = path.resolve(__dirname, '..');
  const jar = path.join(LIB_DIR, 'kafka-tier-agent.jar');
  const inputs = [path.join(tier, 'pom.xml'), ...listFiles(path.join(tier, 'java'))];
  const built = fs.existsSync(jar) ? fs.statSync(jar).mtimeMs : 0;
  if (built && inputs.every((f) => fs.statSync(f).mtimeMs <= built) && fs.existsSync(path.join(LIB_DIR, 'kafka_2.13-4.3.1.jar'))) return;
  const t0 = Date.now();
  log('building the agent and fetching Kafka 4.3.1 from Maven Central (mvn -q package) ...');
  fs.rmSync(LIB_DIR, { recursive: true, force: true });
  execFileSync('mvn', ['-q', '-B', '-f', path.join(tier, 'pom.xml'), 'package'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  log(`mvn package done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Ends processes that an earlier, interrupted run left behind (by pid, only if they carry that run's marker). */
export function reapStaleRuns(keep?: string): void {
  reapRuns(RUNS_DIR, log, keep);
}

export interface JavaSpec {
  name: string;
  runDir: string;
  mainClass: string;
  args: string[];
  log4j?: string;
  cwd?: string;
  env?: Record<string, string>;
  jvm?: string[];
}

export class JavaProcess {
  child?: ChildProcess;
  pid?: number;
  exited?: Promise<number | null>;
  readonly logFile: string;

  constructor(readonly spec: JavaSpec) {
    this.logFile = path.join(spec.runDir, 'logs', `${spec.name}.log`);
  }

  start(stdio: 'log' | 'pipe' = 'log'): ChildProcess {
    const s = this.spec;
    fs.mkdirSync(path.dirname(this.logFile), { recursive: true });
    const args = [
      `-Xmx${HEAP}`, '-Xms64m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
      '-Djava.net.preferIPv4Stack=true',
      ...(s.log4j ? [`-Dlog4j2.configurationFile=${s.log4j}`] : []),
      ...(s.jvm ?? []),
      '-cp', `${LIB_DIR}/*`, s.mainClass, ...s.args,
    ];
    const out = fs.openSync(this.logFile, 'a');
    const child = spawn('java', args, {
      cwd: s.cwd ?? s.runDir,
      env: { ...process.env, ...(s.env ?? {}), ...runMarker(s.runDir) },
      stdio: stdio === 'log' ? ['ignore', out, out] : ['pipe', 'pipe', out],
    });
    fs.closeSync(out);
    this.child = child;
    this.pid = child.pid;
    const pidDir = path.join(s.runDir, 'pids');
    fs.mkdirSync(pidDir, { recursive: true });
    fs.writeFileSync(path.join(pidDir, `${s.name}.pid`), String(child.pid));
    live.add(this);
    killOnExit(child);
    this.exited = new Promise((resolve) => child.once('exit', (code) => {
      live.delete(this);
      fs.rmSync(path.join(pidDir, `${s.name}.pid`), { force: true });
      resolve(code);
    }));
    return child;
  }

  get running(): boolean { return !!this.child && this.child.exitCode === null && this.child.signalCode === null; }

  /** SIGKILL, as a crashed pod would die. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (clean shutdown), then SIGKILL after the grace period. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([this.exited!.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), graceMs); })]);
    clearTimeout(timer);
    if (!done) await this.kill();
  }

  tail(lines = 30): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch { return ''; }
  }
}

export async function stopAll(graceMs = 10_000): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(graceMs)));
}

export function log4jConfig(file: string, loggers: Record<string, string>, target: 'SYSTEM_OUT' | 'SYSTEM_ERR' = 'SYSTEM_OUT'): string {
  const lines = [
    'status = error',
    'appender.out.type = Console',
    'appender.out.name = OUT',
    `appender.out.target = ${target}`,
    'appender.out.layout.type = PatternLayout',
    'appender.out.layout.pattern = [%d] %p %m (%c{1})%n',
    'rootLogger.level = WARN',
    'rootLogger.appenderRef.out.ref = OUT',
  ];
  Object.entries(loggers).forEach(([name, level], i) => lines.push(`logger.l${i}.name = ${name}`, `logger.l${i}.level = ${level}`));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}
