/**
 * The local substitutions: everything the tier changes between the synthesized resources and what runs on this
 * machine. Each substitution is applied here and nowhere else, and logged once per run (see README-section.md).
 */
import type { Props } from './strimzi';
import { log } from './util';

/**
 * THE one override of timing: MirrorMaker 2's periodic work (refresh.topics, sync.topic.configs and any other
 * `*.interval.seconds` in a connector config) and the app consumers' metadata refresh run every
 * KAFKA_TIER_INTERVAL_SECONDS seconds (default 5) instead of the synthesized values (600 s and more).
 */
export const INTERVAL_SECONDS = Number(process.env.KAFKA_TIER_INTERVAL_SECONDS ?? 5);

/** Brokers per local cluster: one combined broker+controller node. */
export const LOCAL_BROKERS = 1;

const said = new Set<string>();
/** Logs a substitution once per kind (`key`, default the message), with its first example. */
export function note(msg: string, key = msg): void {
  if (said.has(key)) return;
  said.add(key);
  log(`substitution: ${msg}`);
}

/**
 * Maps bootstrap addresses to the local listeners: in-cluster Service addresses
 * (`<cluster>-kafka-bootstrap[.<ns>[.svc[.cluster.local]]]:<port>`) to the broker's internal listener on 127.0.0.1, and
 * the addresses of an external listener (its names and the port Strimzi serves it on: 9094 for a load balancer, 443
 * for an ingress, the node port) to the port the tier runs it on, the host kept: the JVMs resolve the listener's
 * names to 127.0.0.1 (jdk.net.hosts.file), so the certificate is checked against the name clients use.
 */
export type AddressMap = (bootstrap: string, fromNamespace: string) => string;

/** An external listener as the tier runs it: where it listens, and the names and ports Strimzi would serve it at. */
export interface ExternalEndpoint { namespace: string; cluster: string; port: number; hosts: string[]; servedPorts: number[] }

export function makeAddressMap(clusters: { namespace: string; cluster: string; port: number }[], externals: ExternalEndpoint[] = []): AddressMap {
  return (bootstrap, fromNamespace) => bootstrap.split(',').map((addr) => {
    const m = /^([a-z0-9-]+)-kafka-bootstrap(?:\.([a-z0-9-]+))?(?:\.svc(?:\.cluster\.local)?)?:(\d+)$/.exec(addr.trim());
    if (!m) return externalAddress(addr.trim(), externals);
    const ns = m[2] ?? fromNamespace;
    const c = clusters.find((x) => x.cluster === m[1] && x.namespace === ns);
    if (!c) throw new Error(`bootstrap address ${addr} names no Kafka cluster of the mesh`);
    note(`bootstrap <cluster>-kafka-bootstrap.<ns>.svc:<port> -> 127.0.0.1:<local port> (e.g. ${addr.trim()} -> 127.0.0.1:${c.port})`, 'bootstrap');
    return `127.0.0.1:${c.port}`;
  }).join(',');
}

function externalAddress(addr: string, externals: ExternalEndpoint[]): string {
  const m = /^(.+):(\d+)$/.exec(addr);
  if (!m) throw new Error(`bootstrap address ${addr} is neither a Strimzi bootstrap service address nor host:port`);
  const [host, port] = [m[1], Number(m[2])];
  // already the local one (a status address the run filled in)
  const local = externals.filter((e) => e.port === port && (host === '127.0.0.1' || e.hosts.includes(host)));
  if (local.length === 1) return addr;
  const served = externals.filter((e) => e.hosts.includes(host) && e.servedPorts.includes(port));
  if (served.length > 1) throw new Error(`bootstrap address ${addr} is an external address of more than one Kafka (${served.map((e) => `${e.namespace}/${e.cluster}`).join(', ')})`);
  if (!served.length) throw new Error(`bootstrap address ${addr} is no address of a Kafka listener of the mesh (external: ${externals.map((e) => `${e.namespace}/${e.cluster} ${e.hosts.join(' ')} ports ${e.servedPorts.join(' ')}`).join('; ') || 'none'})`);
  note(`an external listener's address <host>:<port Strimzi serves it on> -> <host>:<the region's local external port>, <host> resolved to 127.0.0.1 by the JVMs' hosts file (e.g. ${addr} -> ${host}:${served[0].port})`, 'external-address');
  return `${host}:${served[0].port}`;
}

/** TLS is not used locally: SASL_SSL -> SASL_PLAINTEXT, SSL -> PLAINTEXT, truststore settings dropped. */
function dropTls(key: string, value: string): [string, string] | undefined {
  if (/(^|\.)ssl\.truststore\.(certificates|type|location|password)$/.test(key)) {
    note('TLS between clients and brokers is replaced by plaintext loopback (ssl.truststore.* dropped, SASL_SSL -> SASL_PLAINTEXT); SCRAM-SHA-512 stays');
    return undefined;
  }
  if (/(^|\.)security\.protocol$/.test(key)) return [key, value === 'SASL_SSL' ? 'SASL_PLAINTEXT' : value === 'SSL' ? 'PLAINTEXT' : value];
  return [key, value];
}

export function clampReplication(key: string, value: number, where: string): number {
  if (value > LOCAL_BROKERS || value === -1) {
    note(`replication factors and min ISR are clamped to the local broker count (${LOCAL_BROKERS}), e.g. ${where} ${key}=${value} -> ${LOCAL_BROKERS}`, 'clamp');
    return LOCAL_BROKERS;
  }
  return value;
}

/** Connect worker properties of a KafkaMirrorMaker2, made runnable here. */
export function localWorkerProperties(strimzi: Props, o: { addr: AddressMap; namespace: string; restPort: number; where: string; dir: string }): Props {
  const out: Props = [];
  for (const [k0, v0] of strimzi) {
    const kv = dropTls(k0, v0);
    if (!kv) continue;
    const [k, v] = kv;
    if (k === 'bootstrap.servers') out.push([k, o.addr(v, o.namespace)]);
    else if (k === 'rest.advertised.port') out.push([k, String(o.restPort)]);
    else if (k === 'config.providers.strimzidir.param.allowed.paths') {
      note('config provider strimzidir: allowed.paths /opt/kafka -> the region\'s run directory (/opt/kafka does not exist here)');
      out.push([k, o.dir]);
    } else if (k === 'plugin.path') note('plugin.path=/opt/kafka/plugins dropped: the MirrorMaker 2 connectors are on the worker classpath (connect-mirror 4.3.1)');
    else if (k === 'config.providers.strimzisecrets.class') {
      note('config provider strimzisecrets (io.strimzi.kafka.KubernetesSecretConfigProvider) -> Kafka DirectoryConfigProvider over <run>/secrets/<namespace>/<secret>/<key>, same ${strimzisecrets:ns/secret:key} placeholders');
      out.push([k, 'org.apache.kafka.common.config.provider.DirectoryConfigProvider']);
    } else if (/^(config|offset|status)\.storage\.replication\.factor$/.test(k)) out.push([k, String(clampReplication(k, Number(v), o.where))]);
    else out.push([k, v]);
  }
  note('Connect REST listens on http://127.0.0.1:<free port> (listeners, rest.advertised.port), ADVERTISED_HOSTNAME=127.0.0.1');
  out.push(['listeners', `http://127.0.0.1:${o.restPort}`]);
  for (const k of ['config.storage.replication.factor', 'offset.storage.replication.factor', 'status.storage.replication.factor']) {
    if (!out.some(([x]) => x === k)) out.push([k, String(clampReplication(k, 3, `${o.where} (Kafka default)`))]);
  }
  return out;
}

const RF_KEYS: Record<string, number> = {
  'replication.factor': 2,
  'offset-syncs.topic.replication.factor': 3,
  'checkpoints.topic.replication.factor': 3,
  'heartbeats.topic.replication.factor': 3,
};

/** A connector config as the operator sends it, made runnable here. */
export function localConnectorConfig(cfg: Record<string, string>, o: { addr: AddressMap; sourceAddr?: (bootstrap: string) => string; namespace: string; where: string; sourceTls?: boolean }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k0, v0] of Object.entries(cfg)) {
    const keepTls = o.sourceTls && k0.startsWith('source.cluster.');
    if (keepTls && /(^|\.)ssl\.truststore\./.test(k0)) note('a mirror\'s source on another cluster keeps TLS: source.cluster.security.protocol SASL_SSL and its truststore (the source\'s cluster CA), hostname verification on (Kafka\'s default https)', 'external-tls');
    const kv = keepTls ? [k0, v0] as [string, string] : dropTls(k0, v0);
    if (!kv) continue;
    const [k, v] = kv;
    if (k === 'source.cluster.bootstrap.servers') out[k] = o.sourceAddr ? o.sourceAddr(v) : o.addr(v, o.namespace);
    else if (k === 'target.cluster.bootstrap.servers') out[k] = o.addr(v, o.namespace);
    else if (k in RF_KEYS) out[k] = String(clampReplication(k, Number(v), o.where));
    else if (k.endsWith('.interval.seconds')) {
      note(`MirrorMaker 2 *.interval.seconds -> ${INTERVAL_SECONDS} (KAFKA_TIER_INTERVAL_SECONDS), e.g. ${o.where} ${k}=${v}`, 'interval');
      out[k] = String(INTERVAL_SECONDS);
    } else out[k] = v;
  }
  const isSource = out['connector.class']?.endsWith('MirrorSourceConnector');
  const rfKeys = isSource ? ['replication.factor', 'offset-syncs.topic.replication.factor'] : ['checkpoints.topic.replication.factor'];
  for (const k of rfKeys) if (!(k in out)) out[k] = String(clampReplication(k, RF_KEYS[k], `${o.where} (MirrorMaker 2 default)`));
  if (isSource) {
    for (const k of ['refresh.topics.interval.seconds', 'sync.topic.configs.interval.seconds']) {
      if (!(k in out)) {
        note(`MirrorMaker 2 *.interval.seconds -> ${INTERVAL_SECONDS} (KAFKA_TIER_INTERVAL_SECONDS), e.g. ${o.where} ${k} (default 600)`, 'interval');
        out[k] = String(INTERVAL_SECONDS);
      }
    }
  }
  return out;
}

/** Broker settings of spec.kafka.config that concern replication are clamped; the rest is carried over. */
export function localBrokerConfig(config: Record<string, unknown> | undefined, where: string): Props {
  const out: Props = [];
  for (const [k, v] of Object.entries(config ?? {})) {
    if (/replication\.factor$|min\.isr$|^min\.insync\.replicas$/.test(k)) out.push([k, String(clampReplication(k, Number(v), where))]);
    else out.push([k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  }
  return out;
}
