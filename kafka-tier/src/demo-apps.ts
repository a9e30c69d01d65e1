/**
 * Runs the synthesized demo apps themselves — the container command of the `producer` and `consumer` Deployments with
 * the files of the ConfigMaps they mount and their environment — against the local mesh. The Strimzi image's
 * /opt/kafka is replaced by a shim KAFKA_HOME (libs = Kafka 4.3.1's jars, bin/kafka-console-*.sh calling the tool
 * classes); the Kubernetes specifics are substituted: bootstrap address, TLS (CA_CERT empty, as the scripts allow
 * for local brokers), the KafkaUser password (the harness's), and the order pacing (ORDER_INTERVAL_SECONDS,
 * ORDER_COUNT) so that a run is short.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { note } from './local';
import type { MeshRun, RegionRun } from './mesh';
import { LIB_DIR } from './procs';
import type { Manifest } from './synth';
import { sleep, writeFile } from './util';

export interface AppProcess { region: string; name: string; child: ChildProcess; output: () => string; logFile: string }

function kafkaHome(runDir: string): string {
  const home = path.join(runDir, 'kafka-home');
  if (fs.existsSync(home)) return home;
  fs.mkdirSync(path.join(home, 'bin'), { recursive: true });
  fs.symlinkSync(LIB_DIR, path.join(home, 'libs'));
  const log4j = path.join(home, 'tools-log4j2.properties');
  fs.writeFileSync(log4j, 'status = error\nappender.e.type = Console\nappender.e.name = E\nappender.e.target = SYSTEM_ERR\nappender.e.layout.type = PatternLayout\nappender.e.layout.pattern = %p %m%n\nrootLogger.level = WARN\nrootLogger.appenderRef.e.ref = E\n');
  for (const [script, cls] of [['kafka-console-producer.sh', 'org.apache.kafka.tools.ConsoleProducer'], ['kafka-console-consumer.sh', 'org.apache.kafka.tools.consumer.ConsoleConsumer']]) {
    const f = path.join(home, 'bin', script);
    fs.writeFileSync(f, `#!/usr/bin/env bash\n# kafka-tier shim of /opt/kafka/bin/${script}\nhome=$(cd "$(dirname "$0")/.." && pwd)\nexec java \${KAFKA_HEAP_OPTS:--Xmx256m} -Dlog4j2.configurationFile="$home/tools-log4j2.properties" -Dkafka.tier.run=${runDir} -cp "$home/libs/*" ${cls} "$@"\n`);
    fs.chmodSync(f, 0o755);
  }
  return home;
}

/** Starts the container of Deployment `name` of a region as a local process group. */
export function startDemoApp(run: MeshRun, r: RegionRun, name: 'producer' | 'consumer', overrides: Record<string, string> = {}): AppProcess {
  const d: Manifest | undefined = r.model.deployments.find((x) => x.metadata.name === name);
  if (!d) throw new Error(`${r.ns}: no Deployment ${name}`);
  const pod = d.spec.template.spec;
  const c = pod.containers[0];
  const dir = path.join(run.runDir, 'apps', r.ns, name);
  // volumes: ConfigMaps as files at their mount paths (re-rooted under the app's directory)
  const mounts: Record<string, string> = {};
  for (const vm of c.volumeMounts ?? []) {
    const vol = (pod.volumes ?? []).find((v: any) => v.name === vm.name);
    const local = path.join(dir, 'mnt', vm.mountPath);
    mounts[vm.mountPath] = local;
    fs.mkdirSync(local, { recursive: true });
    if (vol?.configMap) {
      const data = r.model.configMaps[vol.configMap.name];
      if (!data) throw new Error(`${r.ns}/${name}: ConfigMap ${vol.configMap.name} is not in the stack`);
      for (const [k, v] of Object.entries(data)) writeFile(path.join(local, k), v);
    }
  }
  const reroot = (s: string) => Object.entries(mounts).reduce((acc, [m, l]) => acc.split(m).join(l), s);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KAFKA_HOME: kafkaHome(run.runDir) };
  for (const e of c.env ?? []) {
    if (typeof e.value === 'string') env[e.name] = reroot(e.value);
    else if (e.valueFrom?.secretKeyRef) {
      const { name: secret, key } = e.valueFrom.secretKeyRef;
      if (key !== 'password' || r.passwords[secret] === undefined) throw new Error(`${r.ns}/${name}: env ${e.name} reads secret ${secret}/${key}, not a KafkaUser password`);
      env[e.name] = r.passwords[secret];
    }
  }
  for (const [k, v] of Object.entries(env)) {
    if (/-kafka-bootstrap/.test(v)) {
      env[k] = run.address(v, r.ns);
    }
  }
  if ('CA_CERT' in env) {
    note('demo apps: CA_CERT emptied (their client-config.sh then uses SASL_PLAINTEXT, as it allows for local brokers); /opt/kafka -> a shim KAFKA_HOME over the Kafka 4.3.1 jars');
    env.CA_CERT = '';
  }
  Object.assign(env, overrides);
  const cmd = [...(c.command ?? []), ...(c.args ?? [])].map(reroot);
  const logFile = path.join(dir, 'output.log');
  fs.mkdirSync(dir, { recursive: true });
  const out = fs.openSync(logFile, 'w');
  const child = spawn(cmd[0], cmd.slice(1), { cwd: dir, env, stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  return { region: r.ns, name, child, logFile, output: () => fs.readFileSync(logFile, 'utf8') };
}

/** Ends an app's process group (the bash script and the JVMs it started), by the group id we created. */
export async function stopDemoApp(app: AppProcess): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  try { process.kill(-app.child.pid!, 'SIGTERM'); } catch { /* gone */ }
  for (let i = 0; i < 150 && app.child.exitCode === null && app.child.signalCode === null; i++) await sleep(100);
  try { process.kill(-app.child.pid!, 'SIGKILL'); } catch { /* gone */ }
}

/** Orders printed by the demo consumer (ConsumeOrders.java: "topic=... partition=... value=<json>"). */
export function ordersSeen(output: string): { topic: string; id: string; region: string }[] {
  const out: { topic: string; id: string; region: string }[] = [];
  for (const line of output.split('\n')) {
    const m = /^topic=(\S+) .*?value=(\{.*\})\s*$/.exec(line);
    if (!m) continue;
    try {
      const v = JSON.parse(m[2]);
      if (v.id) out.push({ topic: m[1], id: v.id, region: v.region });
    } catch { /* not an order */ }
  }
  return out;
}
