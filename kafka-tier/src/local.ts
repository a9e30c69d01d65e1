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

/** Maps in-cluster bootstrap addresses (`<cluster>-kafka-bootstrap[.<ns>[.svc[.cluster.local]]]:<port>`) to 127.0.0.1. */
export type AddressMap = (bootstrap: string, fromNamespace: string) => string;

export function makeAddressMap(clusters: { namespace: string; cluster: string; port: number }[]): AddressMap {
  return (bootstrap, fromNamespace) => bootstrap.split(',').map((addr) => {
    const m = /^([a-z0-9-]+)-kafka-bootstrap(?:\.([a-z0-9-]+))?(?:\.svc(?:\.cluster\.local)?)?:(\d+)$/.exec(addr.trim());
    if (!m) throw new Error(`bootstrap address ${addr} is not a Strimzi bootstrap service address`);
    const ns = m[2] ?? fromNamespace;
    const c = clusters.find((x) => x.cluster === m[1] && x.namespace === ns);
    if (!c) throw new Error(`bootstrap address ${addr} names no Kafka cluster of the mesh`);
    note(`bootstrap <cluster>-kafka-bootstrap.<ns>.svc:<port> -> 127.0.0.1:<local port> (e.g. ${addr.trim()} -> 127.0.0.1:${c.port})`, 'bootstrap');
    return `127.0.0.1:${c.port}`;
  }).join(',');
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
export function localConnectorConfig(cfg: Record<string, string>, o: { addr: AddressMap; sourceAddr?: (bootstrap: string) => string; namespace: string; where: string }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k0, v0] of Object.entries(cfg)) {
    const kv = dropTls(k0, v0);
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
