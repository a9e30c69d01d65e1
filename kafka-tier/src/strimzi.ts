/**
 * What the Strimzi 1.2.0 cluster operator and user operator derive from the custom resources, written down as plain
 * functions (behaviour learned from Strimzi's sources; see kafka-tier/README-section.md for the file list):
 *
 *  - the Kafka Connect worker configuration of a KafkaMirrorMaker2 (the operator's ConfigMap kafka-connect.properties,
 *    which the container runs with connect-distributed.sh),
 *  - the MirrorMaker 2 connectors it creates through the Connect REST API (names and configs),
 *  - the Kafka ACL bindings of a KafkaUser (simple authorization).
 *
 * Nothing here knows about the local machine; kafka-tier/src/local.ts substitutes addresses, TLS and intervals.
 */
import type { Manifest } from './synth';

export type Props = [string, string][];

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** `${strimzisecrets:<namespace>/<secret>:<key>}`, resolved in the pod by Strimzi's Kubernetes secret config provider. */
export const secretPlaceholder = (namespace: string, secret: string, key: string) => `\${strimzisecrets:${namespace}/${secret}:${key}}`;

// KafkaMirrorMaker2ClusterSpec.FORBIDDEN_PREFIXES / FORBIDDEN_PREFIX_EXCEPTIONS (spec.target.config)
const MM2_FORBIDDEN_PREFIXES = ['group.id', 'config.storage.topic', 'offset.storage.topic', 'status.storage.topic', 'ssl.', 'sasl.',
  'security.', 'listeners', 'plugin.path', 'rest.', 'bootstrap.servers', 'consumer.interceptor.classes', 'producer.interceptor.classes'];
const MM2_FORBIDDEN_EXCEPTIONS = ['ssl.endpoint.identification.algorithm', 'ssl.cipher.suites', 'ssl.protocol', 'ssl.enabled.protocols'];
// KafkaMirrorMaker2Configuration.DEFAULTS
const MM2_WORKER_DEFAULTS: Props = [
  ['key.converter', 'org.apache.kafka.connect.converters.ByteArrayConverter'],
  ['value.converter', 'org.apache.kafka.connect.converters.ByteArrayConverter'],
  ['header.converter', 'org.apache.kafka.connect.converters.ByteArrayConverter'],
];
// AbstractConnectorSpec.FORBIDDEN_PARAMETERS (dropped from a connector's config before it is sent)
const CONNECTOR_FORBIDDEN = ['name', 'connector.class', 'tasks.max', 'connector.plugin.version'];

/** AbstractConfiguration: defaults first, then the user's options (overriding), then forbidden keys removed. */
function userConfiguration(config: Record<string, unknown> | undefined, defaults: Props, forbiddenPrefixes: string[], exceptions: string[], forbiddenOptions: string[] = []): Props {
  const m = new Map<string, string>(defaults);
  for (const [k, v] of Object.entries(config ?? {})) m.set(k, str(v));
  return [...m.entries()].filter(([k]) => {
    const lower = k.toLowerCase();
    if (forbiddenPrefixes.some((p) => lower.startsWith(p)) && !exceptions.includes(k)) return false;
    return !forbiddenOptions.includes(lower);
  });
}

interface ClientAuth { type: string; username?: string; passwordSecret?: { secretName: string; password: string }; certificateAndKey?: any; config?: Record<string, unknown>; sasl?: boolean }
interface ClusterSpec { alias: string; bootstrapServers: string; tls?: { trustedCertificates?: unknown[] }; authentication?: ClientAuth; config?: Record<string, unknown>; [k: string]: unknown }

function saslOf(auth: ClientAuth, namespace: string): { mechanism: string; jaas: string } | undefined {
  const pw = auth.passwordSecret ? secretPlaceholder(namespace, auth.passwordSecret.secretName, auth.passwordSecret.password) : '';
  if (auth.type === 'scram-sha-512' || auth.type === 'scram-sha-256') {
    return { mechanism: auth.type === 'scram-sha-256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512',
      jaas: `org.apache.kafka.common.security.scram.ScramLoginModule required username="${auth.username}" password="${pw}";` };
  }
  if (auth.type === 'plain') {
    return { mechanism: 'PLAIN', jaas: `org.apache.kafka.common.security.plain.PlainLoginModule required username="${auth.username}" password="${pw}";` };
  }
  return undefined;
}

/**
 * The Connect worker properties the operator writes for a KafkaMirrorMaker2 (KafkaConnectCluster.generateConnectConfigMap
 * with KafkaConnectConfigurationBuilder), in the same order. Metrics and rack sections are left out (not used by the
 * stack: a `metricsConfig` only adds metric reporters).
 */
export function connectWorkerProperties(mm2: Manifest): Props {
  const ns = mm2.metadata.namespace ?? 'default';
  const name = mm2.metadata.name;
  const t: ClusterSpec & { groupId: string; configStorageTopic: string; statusStorageTopic: string; offsetStorageTopic: string } = mm2.spec.target;
  const p: Props = [];
  p.push(['bootstrap.servers', t.bootstrapServers]);
  p.push(['group.id', t.groupId], ['config.storage.topic', t.configStorageTopic], ['status.storage.topic', t.statusStorageTopic], ['offset.storage.topic', t.offsetStorageTopic]);
  p.push(['rest.advertised.host.name', '${strimzienv:ADVERTISED_HOSTNAME}'], ['rest.advertised.port', '8083']);
  p.push(['plugin.path', '/opt/kafka/plugins']);
  let protocol = 'PLAINTEXT';
  if (t.tls) {
    protocol = 'SSL';
    if (t.tls.trustedCertificates?.length) {
      const v = secretPlaceholder(ns, `${name}-connect-tls-trusted-certs`, 'ca.crt');
      for (const pre of ['', 'producer.', 'consumer.', 'admin.']) p.push([`${pre}ssl.truststore.certificates`, v], [`${pre}ssl.truststore.type`, 'PEM']);
    }
  }
  const auth = t.authentication;
  if (auth) {
    if (auth.type === 'tls' && auth.certificateAndKey) {
      const c = auth.certificateAndKey;
      for (const pre of ['', 'producer.', 'consumer.', 'admin.']) {
        p.push([`${pre}ssl.keystore.certificate.chain`, secretPlaceholder(ns, c.secretName, c.certificate)],
          [`${pre}ssl.keystore.key`, secretPlaceholder(ns, c.secretName, c.key)], [`${pre}ssl.keystore.type`, 'PEM']);
      }
    } else if (auth.type === 'custom') {
      if (auth.sasl) protocol = protocol === 'SSL' ? 'SASL_SSL' : 'SASL_PLAINTEXT';
      for (const [k, v] of Object.entries(auth.config ?? {})) for (const pre of ['', 'producer.', 'consumer.', 'admin.']) p.push([pre + k, str(v)]);
    } else {
      protocol = protocol === 'SSL' ? 'SASL_SSL' : 'SASL_PLAINTEXT';
      const s = saslOf(auth, ns);
      if (!s) throw new Error(`${ns}/${name}: unsupported target authentication ${auth.type}`);
      for (const pre of ['', 'producer.', 'consumer.', 'admin.']) p.push([`${pre}sasl.mechanism`, s.mechanism], [`${pre}sasl.jaas.config`, s.jaas]);
    }
  }
  // config providers
  const user = userConfiguration(t.config, MM2_WORKER_DEFAULTS, MM2_FORBIDDEN_PREFIXES, MM2_FORBIDDEN_EXCEPTIONS);
  const userProviders = user.find(([k]) => k === 'config.providers');
  p.push(['config.providers', (userProviders ? `${userProviders[1]},` : '') + 'strimzienv,strimzifile,strimzidir,strimzisecrets']);
  p.push(['config.providers.strimzienv.class', 'org.apache.kafka.common.config.provider.EnvVarConfigProvider'],
    ['config.providers.strimzienv.param.allowlist.pattern', '.*'],
    ['config.providers.strimzifile.class', 'org.apache.kafka.common.config.provider.FileConfigProvider'],
    ['config.providers.strimzidir.class', 'org.apache.kafka.common.config.provider.DirectoryConfigProvider'],
    ['config.providers.strimzidir.param.allowed.paths', '/opt/kafka'],
    ['config.providers.strimzisecrets.class', 'io.strimzi.kafka.KubernetesSecretConfigProvider']);
  if (mm2.spec.metricsConfig?.type === 'jmxPrometheusExporter') {
    for (const k of ['metric.reporters', 'admin.metric.reporters', 'producer.metric.reporters', 'consumer.metric.reporters']) {
      const u = user.find(([uk]) => uk === k);
      if (!u) p.push([k, 'org.apache.kafka.common.metrics.JmxReporter']);
      else if (!u[1].includes('org.apache.kafka.common.metrics.JmxReporter')) { u[1] = `${u[1]},org.apache.kafka.common.metrics.JmxReporter`; }
    }
  }
  p.push(...user.filter(([k]) => k !== 'config.providers'));
  for (const pre of ['', 'producer.', 'consumer.', 'admin.']) p.push([`${pre}security.protocol`, protocol]);
  return p;
}

/** KafkaMirrorMaker2Connectors.addClusterToMirrorMaker2ConnectorConfig */
function clusterConnectorConfig(cfg: Record<string, string>, cluster: ClusterSpec, prefix: string, ns: string, mm2Name: string): void {
  cfg[`${prefix}alias`] = cluster.alias;
  cfg[`${prefix}bootstrap.servers`] = cluster.bootstrapServers;
  let protocol = 'PLAINTEXT';
  if (cluster.tls) {
    protocol = 'SSL';
    if (cluster.tls.trustedCertificates?.length) {
      cfg[`${prefix}ssl.truststore.certificates`] = secretPlaceholder(ns, `${mm2Name}-connect-tls-trusted-certs`, `${cluster.alias}-ca.crt`);
      cfg[`${prefix}ssl.truststore.type`] = 'PEM';
    }
  }
  const auth = cluster.authentication;
  if (auth) {
    if (auth.type === 'tls') {
      const c = auth.certificateAndKey;
      cfg[`${prefix}ssl.keystore.certificate.chain`] = secretPlaceholder(ns, c.secretName, c.certificate);
      cfg[`${prefix}ssl.keystore.key`] = secretPlaceholder(ns, c.secretName, c.key);
      cfg[`${prefix}ssl.keystore.type`] = 'PEM';
    } else if (auth.type === 'custom') {
      if (auth.sasl) protocol = protocol === 'SSL' ? 'SASL_SSL' : 'SASL_PLAINTEXT';
      for (const [k, v] of Object.entries(auth.config ?? {})) cfg[prefix + k] = str(v);
    } else {
      const s = saslOf(auth, ns);
      if (!s) throw new Error(`${ns}/${mm2Name}: unsupported authentication ${auth.type}`);
      protocol = cluster.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT';
      cfg[`${prefix}sasl.mechanism`] = s.mechanism;
      cfg[`${prefix}sasl.jaas.config`] = s.jaas;
    }
  }
  cfg[`${prefix}security.protocol`] = protocol;
  for (const [k, v] of Object.entries(cluster.config ?? {})) cfg[prefix + k] = str(v);
}

export interface ConnectorDef {
  /** `<sourceAlias>-><targetAlias>.MirrorSourceConnector` */
  name: string;
  /** the JSON the operator PUTs to /connectors/<name>/config */
  config: Record<string, string>;
  sourceAlias: string;
  targetAlias: string;
  /** spec.mirrors[].sourceConnector (or checkpointConnector) as written, for state/autoRestart */
  spec: { tasksMax?: number; state?: string; autoRestart?: { enabled?: boolean; maxRestarts?: number }; config?: Record<string, unknown> };
}

/** KafkaMirrorMaker2Connectors.generateConnectorDefinitions + AbstractConnectOperator's REST body. */
export function mirrorConnectors(mm2: Manifest): ConnectorDef[] {
  const ns = mm2.metadata.namespace ?? 'default';
  const target: ClusterSpec = mm2.spec.target;
  const out: ConnectorDef[] = [];
  for (const mirror of mm2.spec.mirrors ?? []) {
    for (const [suffix, spec] of [['.MirrorSourceConnector', mirror.sourceConnector], ['.MirrorCheckpointConnector', mirror.checkpointConnector]] as const) {
      if (!spec) continue;
      const cfg: Record<string, string> = {};
      clusterConnectorConfig(cfg, target, 'target.cluster.', ns, mm2.metadata.name);
      clusterConnectorConfig(cfg, mirror.source, 'source.cluster.', ns, mm2.metadata.name);
      for (const [k, v] of Object.entries(spec.config ?? {})) cfg[k] = str(v);
      if (mirror.topicsPattern != null) cfg.topics = mirror.topicsPattern;
      if (mirror.topicsExcludePattern != null) cfg['topics.exclude'] = mirror.topicsExcludePattern;
      if (mirror.groupsPattern != null) cfg.groups = mirror.groupsPattern;
      if (mirror.groupsExcludePattern != null) cfg['groups.exclude'] = mirror.groupsExcludePattern;
      for (const k of Object.keys(cfg)) if (CONNECTOR_FORBIDDEN.includes(k.toLowerCase())) delete cfg[k];
      if (spec.tasksMax != null) cfg['tasks.max'] = String(spec.tasksMax);
      if (spec.version != null) cfg['connector.plugin.version'] = String(spec.version);
      cfg['connector.class'] = `org.apache.kafka.connect.mirror${suffix}`;
      out.push({ name: `${mirror.source.alias}->${target.alias}${suffix}`, config: cfg, sourceAlias: mirror.source.alias, targetAlias: target.alias, spec });
    }
  }
  return out;
}

export interface AclBindingDef { principal: string; resourceType: string; name: string; patternType: string; operation: string; permission: string; host: string }

const OPERATIONS: Record<string, string> = {
  Read: 'READ', Write: 'WRITE', Create: 'CREATE', Delete: 'DELETE', Alter: 'ALTER', Describe: 'DESCRIBE', ClusterAction: 'CLUSTER_ACTION',
  AlterConfigs: 'ALTER_CONFIGS', DescribeConfigs: 'DESCRIBE_CONFIGS', IdempotentWrite: 'IDEMPOTENT_WRITE', All: 'ALL',
};
const RESOURCE_TYPES: Record<string, string> = { topic: 'TOPIC', group: 'GROUP', cluster: 'CLUSTER', transactionalId: 'TRANSACTIONAL_ID' };

/** User operator (SimpleAclRule.fromCrd / SimpleAclRuleResource): one Kafka ACL binding per rule and operation. */
export function userAcls(user: Manifest): AclBindingDef[] {
  const authz = user.spec?.authorization;
  if (!authz) return [];
  if (authz.type !== 'simple') throw new Error(`KafkaUser ${user.metadata.name}: authorization type ${authz.type} is not supported by the tier`);
  const principal = user.spec?.authentication?.type === 'tls' ? `User:CN=${user.metadata.name}` : `User:${user.metadata.name}`;
  const out: AclBindingDef[] = [];
  for (const rule of authz.acls ?? []) {
    const r = rule.resource;
    const resourceType = RESOURCE_TYPES[r.type];
    if (!resourceType) throw new Error(`KafkaUser ${user.metadata.name}: unknown ACL resource type ${r.type}`);
    const name = r.type === 'cluster' ? 'kafka-cluster' : r.name;
    const patternType = r.type === 'cluster' ? 'LITERAL' : (r.patternType ?? 'literal') === 'prefix' ? 'PREFIXED' : 'LITERAL';
    for (const op of rule.operations ?? []) {
      const operation = OPERATIONS[op];
      if (!operation) throw new Error(`KafkaUser ${user.metadata.name}: unknown ACL operation ${op}`);
      out.push({ principal, resourceType, name, patternType, operation, permission: (rule.type ?? 'allow') === 'deny' ? 'DENY' : 'ALLOW', host: rule.host ?? '*' });
    }
  }
  return out;
}

/** Topic operator: the Kafka topic of a KafkaTopic. */
export function topicOf(t: Manifest): { name: string; partitions: number; replicas: number; config: Record<string, string> } {
  const spec = t.spec ?? {};
  return {
    name: spec.topicName ?? t.metadata.name,
    partitions: spec.partitions ?? -1,
    replicas: spec.replicas ?? -1,
    config: Object.fromEntries(Object.entries(spec.config ?? {}).map(([k, v]) => [k, str(v)])),
  };
}
