/** Node side of the client agent (kafka-tier/java/.../Agent.java): JSON lines over the JVM's stdin/stdout. */
import * as path from 'path';
import * as readline from 'readline';
import { JavaProcess, log4jConfig } from './procs';

export type Props = Record<string, string>;

export class AgentError extends Error {
  constructor(message: string, readonly errorClass: string) { super(message); }
}

export interface ConsumerEvent { name: string; r: [string, string | null, number, number][] }

export class Agent {
  private proc: JavaProcess;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private ready!: Promise<void>;
  onRecords: (ev: ConsumerEvent) => void = () => undefined;
  onAssignment: (name: string, partitions: string[]) => void = () => undefined;
  onConsumerError: (name: string, error: string) => void = () => undefined;

  constructor(runDir: string, jvm: string[] = []) {
    this.proc = new JavaProcess({
      name: 'agent', runDir, mainClass: 'meshtier.Agent', args: [], jvm,
      log4j: log4jConfig(path.join(runDir, 'config', 'agent-log4j2.properties'), {}, 'SYSTEM_ERR'),
    });
  }

  start(): Promise<void> {
    const child = this.proc.start('pipe');
    this.ready = new Promise((resolve, reject) => {
      const rl = readline.createInterface({ input: child.stdout! });
      rl.on('line', (line) => {
        let msg: any;
        try { msg = JSON.parse(line); } catch { return; }
        if (msg.ev === 'ready') resolve();
        else if (msg.ev === 'records') this.onRecords(msg);
        else if (msg.ev === 'assignment') this.onAssignment(msg.name, msg.partitions);
        else if (msg.ev === 'consumerError') this.onConsumerError(msg.name, msg.error);
        else if (msg.id !== undefined) {
          const p = this.pending.get(msg.id);
          if (!p) return;
          this.pending.delete(msg.id);
          if (msg.ok) p.resolve(msg);
          else p.reject(new AgentError(`${msg.errorClass}: ${msg.error}`, msg.errorClass));
        }
      });
      child.once('exit', (code) => {
        const err = new Error(`agent exited (${code}); log: ${this.proc.logFile}`);
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
    });
    return this.ready;
  }

  call<T = any>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.child!.stdin!.write(JSON.stringify({ id, op, ...args }) + '\n');
    });
  }

  async stop(): Promise<void> {
    if (!this.proc.running) return;
    this.proc.child!.stdin!.write(JSON.stringify({ id: 0, op: 'shutdown' }) + '\n');
    this.proc.child!.stdin!.end();
    await this.proc.stop(15_000);
  }
}
