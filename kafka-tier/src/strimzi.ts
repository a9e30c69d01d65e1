/**
 * What the Strimzi 1.2.0 cluster operator and user operator derive from the custom resources, written down as plain
 * functions (behaviour learned from Strimzi's sources; the README's Kafka tier section lists the files):
 *
 *  - the Kafka Connect worker configuration of a KafkaMirrorMaker2 (the operator's ConfigMap kafka-connect.properties,
 *    which the container runs with connect-distributed.sh),
 *  - the MirrorMaker 2 connectors it creates through the Connect REST API (names and configs),
 *  - the Kafka ACL bindings of a KafkaUser (simple authorization),
 *  - a Kafka's listeners in the broker configuration, and for an external listener (loadbalancer, nodeport, ingress)
 *    its status and advertised addresses and the names on the broker certificates.
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

// ---------------------------------------------------------------- Kafka listeners

/** A listener of `spec.kafka.listeners` (GenericKafkaListener). */
export interface KafkaListener {
  name: string;
  port: number;
  type: string;
  tls?: boolean;
  authentication?: { type: string };
  configuration?: {
    bootstrap?: { alternativeNames?: string[]; host?: string; nodePort?: number; loadBalancerIP?: string };
    brokers?: { broker: number; advertisedHost?: string; advertisedPort?: number; host?: string; nodePort?: number }[];
    advertisedHostTemplate?: string;
    hostTemplate?: string;
    class?: string;
    [k: string]: unknown;
  };
}

/** A broker node as the operator names it: node id and pod `<cluster>-<pool>-<id>`. */
export interface NodeRef { nodeId: number; podName: string }

export function kafkaListeners(kafka: Manifest): KafkaListener[] {
  return (kafka.spec?.kafka?.listeners ?? []) as KafkaListener[];
}

/** ListenersUtils.identifier, upper-cased by KafkaBrokerConfigurationBuilder.withListeners: `EXTERNAL-9094`. */
export const brokerListenerName = (l: KafkaListener): string => `${l.name}-${l.port}`.toUpperCase();

/**
 * What KafkaBrokerConfigurationBuilder.withListeners writes for one user listener besides its `listeners` and
 * `advertised.listeners` entries: the `listener.security.protocol.map` entry (getSecurityProtocol: tls -> SSL, SASL
 * authentication -> SASL_ prefix), the SCRAM-SHA-512 settings of configureAuthentication, and, for a TLS listener
 * without a custom certificate, configureTlsOnListener's PEM keystore: the node's certificate from the Secret named
 * after the pod (`<pod>.crt` / `<pod>.key`). Authentication types other than scram-sha-512 are not modelled.
 */
export function brokerListenerConfig(l: KafkaListener, namespace: string, node: NodeRef): { name: string; protocol: string; props: Props } {
  const name = brokerListenerName(l);
  const lower = name.toLowerCase();
  const auth = l.authentication?.type;
  if (auth && auth !== 'scram-sha-512') throw new Error(`listener ${l.name}: authentication ${auth} is not modelled by the tier`);
  const sasl = auth === 'scram-sha-512';
  const protocol = `${sasl ? 'SASL_' : ''}${l.tls ? 'SSL' : 'PLAINTEXT'}`;
  const props: Props = [];
  if (sasl) {
    props.push([`listener.name.${lower}.scram-sha-512.sasl.jaas.config`, 'org.apache.kafka.common.security.scram.ScramLoginModule required ;'],
      [`listener.name.${lower}.sasl.enabled.mechanisms`, 'SCRAM-SHA-512']);
  }
  if (l.tls) {
    if (l.configuration?.brokerCertChainAndKey) throw new Error(`listener ${l.name}: a custom server certificate is not modelled by the tier`);
    props.push([`listener.name.${lower}.ssl.keystore.certificate.chain`, secretPlaceholder(namespace, node.podName, `${node.podName}.crt`)],
      [`listener.name.${lower}.ssl.keystore.key`, secretPlaceholder(namespace, node.podName, `${node.podName}.key`)],
      [`listener.name.${lower}.ssl.keystore.type`, 'PEM']);
  }
  return { name, protocol, props };
}

/** Settings withListeners writes once for all listeners: no global SASL mechanism, hostname verification on. */
export const BROKER_COMMON_LISTENER_SETTINGS: Props = [['sasl.enabled.mechanisms', ''], ['ssl.endpoint.identification.algorithm', 'HTTPS']];

/** What the platform gives an external listener's Services and Ingresses (in a cluster: the cloud's load balancers, Kubernetes' node ports, the nodes' addresses). */
export interface ExternalPlatform {
  /** the load balancer address (`status.loadBalancer.ingress[0]` hostname, else ip) of the bootstrap Service or of a broker's Service */
  loadBalancerAddress(service: 'bootstrap' | number): string;
  /** the node port Kubernetes assigns when the listener sets none */
  assignedNodePort(service: 'bootstrap' | number): number;
  /** the address of the worker node a broker runs on (NodeUtils.findAddress) */
  nodeAddress(nodeId: number): string;
}

/** Where an external listener is reached, and the names its certificates must hold. */
export interface ExternalAddresses {
  /** `status.listeners[]` of the listener: its addresses, and `bootstrapServers` as ListenerStatus.setAddresses joins them */
  status: { name: string; addresses: { host: string; port: number }[]; bootstrapServers: string };
  /** per node: the `advertised.listeners` host and port of the listener */
  advertised: Map<number, { host: string; port: number }>;
  /** ReconciliationResult.bootstrapDnsNames: on every broker's certificate */
  bootstrapDnsNames: string[];
  /** ReconciliationResult.brokerDnsNames: on that broker's certificate */
  brokerDnsNames: Map<number, string[]>;
}

function brokerOverride(l: KafkaListener, nodeId: number) {
  return l.configuration?.brokers?.find((b) => b.broker === nodeId);
}

/** ListenersUtils.brokerAdvertisedHost: `brokers[].advertisedHost`, else `advertisedHostTemplate` with {nodeId} and {nodePodName}. */
export function brokerAdvertisedHost(l: KafkaListener, node: NodeRef): string | undefined {
  const own = brokerOverride(l, node.nodeId)?.advertisedHost;
  if (own) return own;
  const t = l.configuration?.advertisedHostTemplate;
  return t ? t.replace(/\{nodeId\}/g, String(node.nodeId)).replace(/\{nodePodName\}/g, node.podName) : undefined;
}

/** ListenersUtils.brokerHost (ingress): `brokers[].host`, else `hostTemplate`. */
function brokerHost(l: KafkaListener, node: NodeRef): string | undefined {
  const own = brokerOverride(l, node.nodeId)?.host;
  if (own) return own;
  const t = l.configuration?.hostTemplate;
  return t ? t.replace(/\{nodeId\}/g, String(node.nodeId)).replace(/\{nodePodName\}/g, node.podName) : undefined;
}

/**
 * The addresses of an external listener of type loadbalancer, nodeport or ingress, as Strimzi 1.2.0 works them out
 * (KafkaListenersReconciler.loadBalancerServicesReady / nodePortServicesReady / ingressesReady, then
 * KafkaReconciler.nodePortExternalListenerStatus for node ports), and the names it adds to the broker certificates.
 * `bootstrap.alternativeNames` go on every broker certificate (the reconciler's constructor).
 */
export function externalListenerAddresses(l: KafkaListener, nodes: NodeRef[], platform: ExternalPlatform): ExternalAddresses {
  const bootstrapDnsNames = [...(l.configuration?.bootstrap?.alternativeNames ?? [])];
  const brokerDnsNames = new Map<number, string[]>();
  const advertised = new Map<number, { host: string; port: number }>();
  const brokerNames = (id: number) => { let s = brokerDnsNames.get(id); if (!s) brokerDnsNames.set(id, (s = [])); return s; };
  let addresses: { host: string; port: number }[];
  if (l.type === 'loadbalancer') {
    if (l.configuration?.createBootstrapService === false) throw new Error(`listener ${l.name}: createBootstrapService false is not modelled by the tier`);
    // the bootstrap Service's load balancer address (createBootstrapService defaults to true), on the listener's port
    const bootstrap = platform.loadBalancerAddress('bootstrap');
    bootstrapDnsNames.push(bootstrap);
    addresses = [{ host: bootstrap, port: l.port }];
    for (const n of nodes) {
      const lb = platform.loadBalancerAddress(n.nodeId);
      const adv = brokerAdvertisedHost(l, n);
      brokerNames(n.nodeId).push(lb, ...(adv ? [adv] : []));
      advertised.set(n.nodeId, { host: adv ?? lb, port: brokerOverride(l, n.nodeId)?.advertisedPort ?? l.port });
    }
  } else if (l.type === 'nodeport') {
    const bootstrapPort = l.configuration?.bootstrap?.nodePort ?? platform.assignedNodePort('bootstrap');
    const seen = new Set<string>();
    addresses = [];
    for (const n of nodes) {
      const nodePort = brokerOverride(l, n.nodeId)?.nodePort ?? platform.assignedNodePort(n.nodeId);
      const adv = brokerAdvertisedHost(l, n);
      if (adv) brokerNames(n.nodeId).push(adv);
      advertised.set(n.nodeId, { host: adv ?? platform.nodeAddress(n.nodeId), port: brokerOverride(l, n.nodeId)?.advertisedPort ?? nodePort });
      // the status: per broker node, its advertised host (else the node's address) with the *bootstrap* node port
      const a = { host: adv ?? platform.nodeAddress(n.nodeId), port: bootstrapPort };
      if (!seen.has(`${a.host}:${a.port}`)) { seen.add(`${a.host}:${a.port}`); addresses.push(a); }
    }
  } else if (l.type === 'ingress') {
    const host = l.configuration?.bootstrap?.host;
    if (!host) throw new Error(`listener ${l.name}: an ingress listener needs configuration.bootstrap.host`);
    bootstrapDnsNames.push(host);
    addresses = [{ host, port: 443 }]; // KafkaCluster.ROUTE_PORT
    for (const n of nodes) {
      const h = brokerHost(l, n);
      if (!h) throw new Error(`listener ${l.name}: an ingress listener needs a host for broker ${n.nodeId} (hostTemplate or brokers[].host)`);
      const adv = brokerAdvertisedHost(l, n);
      brokerNames(n.nodeId).push(h, ...(adv ? [adv] : []));
      advertised.set(n.nodeId, { host: adv ?? h, port: brokerOverride(l, n.nodeId)?.advertisedPort ?? 443 }); // KafkaCluster.INGRESS_PORT
    }
  } else {
    throw new Error(`listener ${l.name}: type ${l.type} is not an external listener type the tier models (loadbalancer, nodeport, ingress)`);
  }
  const bootstrapServers = [...new Set(addresses.map((a) => `${a.host}:${a.port}`))].sort().join(',');
  return { status: { name: l.name, addresses, bootstrapServers }, advertised, bootstrapDnsNames: [...new Set(bootstrapDnsNames)], brokerDnsNames };
}

const isIp = (s: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || s.includes(':');

/**
 * KafkaCluster.buildKafkaNodeCertsSubject: the SANs of a broker node's certificate (one certificate per node, used on
 * every TLS listener): the bootstrap and brokers Services' names in all four forms (ModelUtils.generateAllServiceDnsNames),
 * the pod's DNS names, then the external listeners' bootstrap and per-broker addresses (IP addresses as IP SANs).
 */
export function brokerCertSans(cluster: string, namespace: string, node: NodeRef, external: ExternalAddresses[]): { dns: string[]; ip: string[] } {
  const all = (svc: string) => [svc, `${svc}.${namespace}`, `${svc}.${namespace}.svc`, `${svc}.${namespace}.svc.cluster.local`];
  const names = [...all(`${cluster}-kafka-bootstrap`), ...all(`${cluster}-kafka-brokers`),
    `${node.podName}.${cluster}-kafka-brokers.${namespace}.svc.cluster.local`, `${node.podName}.${cluster}-kafka-brokers.${namespace}.svc`];
  for (const e of external) names.push(...e.bootstrapDnsNames, ...(e.brokerDnsNames.get(node.nodeId) ?? []));
  const uniq = [...new Set(names)];
  return { dns: uniq.filter((n) => !isIp(n)), ip: uniq.filter(isIp) };
}
