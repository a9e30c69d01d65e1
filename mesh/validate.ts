/**
 * The one place where a mesh description is checked and its defaults are filled in.
 *
 * `resolveMesh` takes what a mesh file parses to (unknown JSON) and returns a `Mesh`, or throws a `MeshConfigError`
 * that lists every problem, each naming the field, the offending value and what is allowed.
 */
import { KNOWN_REGIONS } from './demo';
import {
  AppOptions,
  CanonicalTopic,
  COMPRESSION_TYPES,
  CompressionType,
  COPY_SEPARATOR,
  ConfigValue,
  KafkaOptions,
  KafkaStorage,
  Mesh,
  MetricsOptions,
  MirrorMakerOptions,
  OperatorOptions,
  Region,
  ResourceRequirements,
  UiOptions,
  DeployOptions,
  EXTERNAL_LISTENER_TYPES,
  ExternalListener,
  WanOptions,
} from './model';
import { bandwidthDelayProduct, MAX_FETCH_BYTES } from './mirror-settings';
import { copyName, externalBootstrapServiceName, MIRROR_MAKER } from './names';
import { kafkaVersionsOf, strimziVersionsWithLists } from './strimzi/kafka-versions';
import { kafkaVersionsWithTopicConfigTables, topicConfigDefinition, topicConfigTable, TopicConfigTable, topicConfigValueProblem } from './topic-configs';

/** Size of each node's volume when kafka.storage is persistent and gives no size. */
const PERSISTENT_SIZE = '10Gi';

/** Every default of the mesh file, in one place (the README's option tables list the same values). */
export const DEFAULTS = {
  topic: { partitions: 1, maxDefaultReplicas: 3 },
  kafka: {
    brokers: 3,
    controllers: 0,
    // Persistent, in the cluster's default StorageClass: a broker restart (upgrade, CA renewal, node drain) keeps its data.
    storage: { type: 'persistent', size: PERSISTENT_SIZE } as KafkaStorage,
    persistentSize: PERSISTENT_SIZE,
    // One hour: a rotated or removed SCRAM password stops an open session within it (connections.max.reauth.ms).
    reauthenticationSeconds: 3600,
    resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '1Gi' } },
  },
  mirrorMaker: {
    replicas: 1,
    tasksMax: 2,
    refreshTopicsIntervalSeconds: 600,
    resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '1Gi' } },
    wan: { roundTripMs: 250, throughputMBps: 20 },
    copyCompression: 'zstd' as CompressionType,
  },
  apps: {
    enabled: true,
    preferredTopic: 'LH.ORDERS',
    intervalSeconds: 10,
    image: 'quay.io/strimzi/kafka:1.2.0-kafka-4.3.1',
  },
  metrics: { enabled: true, podMonitors: false },
  ui: { enabled: true, repository: 'https://kafbat.github.io/helm-charts', chartVersion: '1.5.2' },
  operator: {
    version: '1.2.0',
    repository: 'oci://quay.io/strimzi-helm',
    namespace: 'strimzi',
    deleteCrdsOnDestroy: true,
  },
  deploy: { readyTimeoutSeconds: 1200, allowDataLoss: { regions: [] as string[], topics: [] as string[], nodePools: false } },
} as const;

/** A mesh description that cannot be deployed. `problems` has one line per problem. */
export class MeshConfigError extends Error {
  constructor(
    readonly problems: readonly string[],
    readonly source = 'mesh config',
  ) {
    super(`Invalid ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MeshConfigError';
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Service name: a DNS-1035 label, which starts with a letter. The region name is the Kafka's, and Strimzi names Services after it. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_SERVICE_NAME = 63;
/**
 * 38: the longest Service name Strimzi derives from it, the external bootstrap's, must fit in 63 characters. Applied
 * in a mesh on one cluster too: adding a cluster later gives every region that listener, and a region cannot be renamed
 * without losing its data.
 */
const MAX_REGION_NAME = MAX_SERVICE_NAME - externalBootstrapServiceName('').length;
const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const ALIAS = /^[a-zA-Z0-9_-]{1,100}$/;
const TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_NAME = 249;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$/;
const CONFIG_KEY = /^[a-z][a-z0-9._-]*$/;
/** Topics MirrorMaker 2's default topic filter never mirrors (topics.exclude); a canonical topic must not match. */
const NEVER_MIRRORED = [/.*[-.]internal/, /.*\.replica/, /__.*/];

type Json = unknown;
type Obj = Record<string, Json>;

/** Collects problems while reading; each read names its path (`regions[1].alias`). */
class Reader {
  readonly problems: string[] = [];

  fail(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  /** An object with only the allowed keys; unknown keys (typos) are problems. */
  object(path: string, value: Json, allowed: readonly string[]): Obj | undefined {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, `must be a mapping with keys ${list(allowed)}, got ${show(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        const hint = closest(key, allowed);
        this.fail(`${join(path, key)}`, `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${list(allowed)}`);
      }
    }
    return value as Obj;
  }

  string(path: string, value: Json, fallback?: string): string | undefined {
    if (value === undefined || value === null) {
      if (fallback === undefined) this.fail(path, 'is required (a string)');
      return fallback;
    }
    if (typeof value !== 'string' || value.length === 0) {
      this.fail(path, `must be a non-empty string, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  integer(path: string, value: Json, fallback: number | undefined, min: number): number | undefined {
    if (value === undefined || value === null) {
      if (fallback === undefined) this.fail(path, `is required (an integer >= ${min})`);
      return fallback;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      this.fail(path, `must be an integer >= ${min}, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  number(path: string, value: Json, fallback: number, min: number): number | undefined {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      this.fail(path, `must be a number >= ${min}, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  boolean(path: string, value: Json, fallback: boolean): boolean | undefined {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.fail(path, `must be true or false, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  /** One of a fixed list of strings. */
  oneOf<T extends string>(path: string, value: Json, allowed: readonly T[], fallback: T): T | undefined {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(path, `must be one of ${list(allowed)}, got ${show(value)}`);
      return undefined;
    }
    return value as T;
  }

  array(path: string, value: Json): Json[] | undefined {
    if (!Array.isArray(value)) {
      this.fail(path, `must be a list, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  /**
   * Topic config: keys are Kafka config names, values scalars (written as strings). With the table of the mesh's
   * Kafka version, each key must be one of its topic configs and each value one Kafka accepts (mesh/topic-configs.ts).
   */
  config(path: string, value: Json, topicConfigs?: TopicConfigTable): Record<string, ConfigValue> {
    const out: Record<string, ConfigValue> = {};
    if (value === undefined || value === null) return out;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, `must be a mapping of Kafka topic config names to scalar values, got ${show(value)}`);
      return out;
    }
    for (const [key, v] of Object.entries(value as Obj)) {
      const definition = topicConfigs && topicConfigDefinition(topicConfigs, key);
      if (!CONFIG_KEY.test(key)) {
        this.fail(join(path, key), 'is not a Kafka config name (lowercase letters, digits, ".", "-", "_")');
      } else if (topicConfigs && !definition) {
        const hint = closest(key, Object.keys(topicConfigs.configs));
        this.fail(join(path, key), `unknown Kafka ${topicConfigs.kafkaVersion} topic config ${hint ? `(did you mean "${hint}"?)` : `(the known ones: mesh/kafka/topic-configs-${topicConfigs.kafkaVersion}.json)`}`);
      } else if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) {
        // YAML and JSON numbers are doubles: beyond 2^53 the value read is not the value written
        this.fail(join(path, key), `${show(v)} is beyond the integers a YAML or JSON number holds exactly (2^53); write the value as a string, in quotes`);
      } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        const problem = definition && topicConfigValueProblem(definition, String(v), show(v));
        if (problem) this.fail(join(path, key), problem);
        else out[key] = String(v);
      } else {
        this.fail(join(path, key), `must be a scalar (string, number or boolean), got ${show(v)}`);
      }
    }
    return out;
  }

  quantities(path: string, value: Json, fallback: Readonly<Record<string, string>>): Record<string, string> {
    if (value === undefined || value === null) return { ...fallback };
    const obj = this.object(path, value, ['cpu', 'memory']);
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(obj ?? {})) {
      const q = typeof v === 'number' ? String(v) : v;
      if (typeof q !== 'string' || !QUANTITY.test(q)) {
        this.fail(join(path, key), `must be a Kubernetes quantity such as "500m" or "1Gi", got ${show(v)}`);
      } else {
        out[key] = q;
      }
    }
    return out;
  }

  resources(path: string, value: Json, fallback: ResourceRequirements): ResourceRequirements {
    const obj = this.object(path, value, ['requests', 'limits']) ?? {};
    return {
      requests: this.quantities(`${path}.requests`, obj.requests, fallback.requests),
      limits: this.quantities(`${path}.limits`, obj.limits, fallback.limits),
    };
  }
}

/**
 * A mesh name keys stack names and Terraform state files (`<name>-operator`): a DNS-1123 label short enough that
 * every stack name built from it stays readable.
 */
const MESH_NAME = /^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$/;

/** Resolves a parsed mesh file (or the demo) into a validated `Mesh` with every default filled in. */
export function resolveMesh(input: Json, source = 'mesh config'): Mesh {
  const r = new Reader();
  const root = r.object('(top level)', input, ['name', 'regions', 'topics', 'kafka', 'mirrorMaker', 'apps', 'metrics', 'ui', 'operator', 'deploy', 'kubeconfig']);
  if (root === undefined) throw new MeshConfigError(r.problems, source);

  const name = readMeshName(r, root.name);

  const kafka = readKafka(r, root.kafka);
  const operator = readOperator(r, root.operator);
  checkKafkaVersion(r, kafka, operator);
  const regions = readRegions(r, root.regions, operator);
  const topicConfigs = topicConfigTableFor(r, kafka, operator);
  const topics = readTopics(r, root.topics, kafka, regions, topicConfigs);
  const overrides = readTopicOverrides(r, root.regions, topics, topicConfigs);
  const mirrorMaker = readMirrorMaker(r, root.mirrorMaker);
  const apps = readApps(r, root.apps, topics);
  const metrics = readMetrics(r, root.metrics);
  const ui = readUi(r, root.ui);
  const deploy = readDeploy(r, root.deploy, regions, topics);
  // No default: unset means "as kubectl" ($KUBECONFIG, else ~/.kube/config), decided at synth (kubeconfig.ts).
  const kubeconfig = root.kubeconfig === undefined ? undefined : r.string('kubeconfig', root.kubeconfig);

  if (r.problems.length > 0) throw new MeshConfigError(r.problems, source);
  return {
    name: name!,
    regions: regions.map((region) => ({ ...region, topicConfig: overrides.get(region.name) ?? {} })),
    topics,
    kafka: kafka!,
    mirrorMaker: mirrorMaker!,
    apps: apps!,
    metrics: metrics!,
    ui: ui!,
    operator: operator!,
    deploy: deploy!,
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
  };
}

/** Limits of kafka.reauthenticationSeconds: a minute (more often, every client re-authenticates all the time) to a day (longer, a removed password is no longer revoked in any useful time). */
export const REAUTHENTICATION_LIMITS = { min: 60, max: 86_400 } as const;

function readKafka(r: Reader, value: Json): KafkaOptions | undefined {
  const o = r.object('kafka', value, ['brokers', 'controllers', 'storage', 'resources', 'version', 'reauthenticationSeconds']);
  if (!o) return undefined;
  const brokers = r.integer('kafka.brokers', o.brokers, DEFAULTS.kafka.brokers, 1);
  const controllers = r.integer('kafka.controllers', o.controllers, DEFAULTS.kafka.controllers, 0);
  const storage = readStorage(r, o.storage);
  const resources = r.resources('kafka.resources', o.resources, DEFAULTS.kafka.resources);
  const version = o.version === undefined ? undefined : r.string('kafka.version', o.version);
  let reauthenticationSeconds = r.integer('kafka.reauthenticationSeconds', o.reauthenticationSeconds, DEFAULTS.kafka.reauthenticationSeconds, REAUTHENTICATION_LIMITS.min);
  if (reauthenticationSeconds !== undefined && reauthenticationSeconds > REAUTHENTICATION_LIMITS.max) {
    r.fail('kafka.reauthenticationSeconds', `must be an integer from ${REAUTHENTICATION_LIMITS.min} to ${REAUTHENTICATION_LIMITS.max} (one day), got ${reauthenticationSeconds}: a removed or rotated password keeps working in an open session until it re-authenticates`);
    reauthenticationSeconds = undefined;
  }
  if (brokers === undefined || controllers === undefined || storage === undefined || reauthenticationSeconds === undefined) return undefined;
  return { brokers, controllers, storage, resources, reauthenticationSeconds, ...(version ? { version } : {}) };
}

/**
 * `kafka.version` must be one the Strimzi release in use supports, as Strimzi lists them (mesh/strimzi/). Without
 * the list of that release the version cannot be checked, and is refused rather than guessed at.
 */
function checkKafkaVersion(r: Reader, kafka: KafkaOptions | undefined, operator: OperatorOptions | undefined): void {
  if (kafka?.version === undefined || operator === undefined) return;
  const strimzi = kafkaVersionsOf(operator.version);
  if (!strimzi) {
    r.fail('kafka.version', `${show(kafka.version)} cannot be checked: the project has no list of the Kafka versions Strimzi ${operator.version} (operator.version) supports, only of Strimzi ${strimziVersionsWithLists().join(', ')}; leave kafka.version unset for the operator's default, or add the list (npx tsx scripts/strimzi-kafka-versions/generate.ts ${operator.version})`);
  } else if (!strimzi.supported.includes(kafka.version)) {
    r.fail('kafka.version', `${show(kafka.version)} is not a Kafka version Strimzi ${operator.version} supports; supported: ${strimzi.supported.join(', ')}`);
  }
}

/**
 * The table of Kafka's topic configs that topics[].config and regions[].topicConfig are checked against: that of
 * kafka.version, else of the version the operator runs by default (Strimzi 1.2.0's, 4.3.1, when the project has no
 * list for operator.version). A kafka.version that checkKafkaVersion refuses has no table and gets no second problem;
 * a supported one without a table is a gap in mesh/kafka/, reported here.
 */
function topicConfigTableFor(r: Reader, kafka: KafkaOptions | undefined, operator: OperatorOptions | undefined): TopicConfigTable | undefined {
  const strimzi = kafkaVersionsOf(operator?.version ?? DEFAULTS.operator.version);
  const version = kafka?.version ?? strimzi?.default ?? kafkaVersionsOf(DEFAULTS.operator.version)?.default;
  if (version === undefined) return undefined;
  const table = topicConfigTable(version);
  if (!table && strimzi?.supported.includes(version)) {
    r.fail('kafka.version', `${show(version)}: the project has no table of Kafka ${version}'s topic configs to check topic configs against, only of Kafka ${kafkaVersionsWithTopicConfigTables().join(', ')}; add it with scripts/kafka-topic-configs/generate.sh ${version}`);
  }
  return table;
}

function readStorage(r: Reader, value: Json): KafkaStorage | undefined {
  if (value === undefined || value === null) return DEFAULTS.kafka.storage;
  const o = r.object('kafka.storage', value, ['type', 'size', 'storageClass']);
  if (!o) return undefined;
  const size = o.size === undefined ? undefined : r.string('kafka.storage.size', o.size);
  if (size !== undefined && !QUANTITY.test(size)) r.fail('kafka.storage.size', `must be a Kubernetes quantity such as "10Gi", got ${show(size)}`);
  if (o.type === 'ephemeral') {
    if (o.storageClass !== undefined) r.fail('kafka.storage.storageClass', 'applies only to type "persistent"');
    return size ? { type: 'ephemeral', size } : { type: 'ephemeral' };
  }
  // No type: persistent, the default type.
  if (o.type === 'persistent' || o.type === undefined) {
    const storageClass = o.storageClass === undefined ? undefined : r.string('kafka.storage.storageClass', o.storageClass);
    return { type: 'persistent', size: size ?? DEFAULTS.kafka.persistentSize, ...(storageClass ? { storageClass } : {}) };
  }
  r.fail('kafka.storage.type', `must be one of "ephemeral", "persistent", got ${show(o.type)}`);
  return undefined;
}

function readOperator(r: Reader, value: Json): OperatorOptions | undefined {
  const o = r.object('operator', value, ['version', 'repository', 'namespace', 'deleteCrdsOnDestroy']);
  if (!o) return undefined;
  const namespace = r.string('operator.namespace', o.namespace, DEFAULTS.operator.namespace);
  if (namespace !== undefined && !DNS_LABEL.test(namespace)) {
    r.fail('operator.namespace', `${show(namespace)} is not a DNS-1123 label (lowercase letters, digits, "-")`);
  }
  return {
    version: r.string('operator.version', o.version, DEFAULTS.operator.version)!,
    repository: r.string('operator.repository', o.repository, DEFAULTS.operator.repository)!,
    namespace: namespace!,
    deleteCrdsOnDestroy: r.boolean('operator.deleteCrdsOnDestroy', o.deleteCrdsOnDestroy, DEFAULTS.operator.deleteCrdsOnDestroy)!,
  };
}

const REGION_KEYS = ['name', 'namespace', 'alias', 'context', 'external', 'code', 'warehouses', 'topicConfig'];

function readRegions(r: Reader, value: Json, operator: OperatorOptions | undefined): Region[] {
  if (value === undefined) {
    r.fail('regions', 'is required: a list of at least two regions');
    return [];
  }
  const items = r.array('regions', value);
  if (!items) return [];
  if (items.length < 2) r.fail('regions', `needs at least two regions to mirror between, got ${items.length}`);

  const regions: Region[] = [];
  const names = new Map<string, number>();
  const aliases = new Map<string, number>();
  items.forEach((item, i) => {
    const path = `regions[${i}]`;
    const o = r.object(path, item, REGION_KEYS);
    if (!o) return;
    const name = r.string(`${path}.name`, o.name);
    if (name !== undefined) {
      if (!DNS_1035_LABEL.test(name)) {
        r.fail(`${path}.name`, `${show(name)} is not a valid region name: it names the region's Kafka, whose Services Strimzi names after it (${show(`${name}-kafka-bootstrap`)}), and a Service name is a DNS-1035 label: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit`);
      } else if (name.length > MAX_REGION_NAME) {
        const longest = externalBootstrapServiceName(name);
        r.fail(`${path}.name`, `${show(name)} is ${name.length} characters long; allowed: at most ${MAX_REGION_NAME}, because Strimzi names the bootstrap Service of the external listener (which every region gets once the mesh spans more than one Kubernetes cluster) ${show(longest)}, ${longest.length} characters, and a Service name has at most ${MAX_SERVICE_NAME}`);
      } else if (RESERVED_NAMESPACES.includes(name) || name === operator?.namespace) {
        // Reserved also with another namespace set: the name is the region's namespace by default, and in messages.
        r.fail(`${path}.name`, `${show(name)} is reserved (the stack creates and deletes the region's namespace); not allowed: ${list([...RESERVED_NAMESPACES, operator?.namespace ?? DEFAULTS.operator.namespace])}`);
      } else if (names.has(name)) {
        r.fail(`${path}.name`, `${show(name)} repeats regions[${names.get(name)}].name; region names must be unique`);
      } else {
        names.set(name, i);
      }
    }
    const alias = r.string(`${path}.alias`, o.alias, name);
    if (alias !== undefined) {
      if (alias.includes(COPY_SEPARATOR)) {
        r.fail(`${path}.alias`, `${show(alias)} contains "${COPY_SEPARATOR}", the copy separator (copies are named <alias>${COPY_SEPARATOR}<topic>); allowed: letters, digits, "-", "_"`);
      } else if (!ALIAS.test(alias)) {
        r.fail(`${path}.alias`, `${show(alias)} is not a valid alias; allowed: 1 to 100 letters, digits, "-", "_"`);
      } else if (aliases.has(alias)) {
        r.fail(`${path}.alias`, `${show(alias)} repeats the alias of regions[${aliases.get(alias)}]; aliases must be unique (loop prevention depends on it)`);
      } else {
        aliases.set(alias, i);
      }
    }
    // The namespace the stack creates and deletes: never one Kubernetes or the operator needs.
    const namespace = o.namespace === undefined || o.namespace === null ? name : r.string(`${path}.namespace`, o.namespace);
    if (o.namespace !== undefined && o.namespace !== null && namespace !== undefined) {
      if (!DNS_LABEL.test(namespace) || namespace.length > 63) {
        r.fail(`${path}.namespace`, `${show(namespace)} is not a valid namespace: a DNS-1123 label (lowercase letters, digits, "-", starting and ending with a letter or digit) of at most 63 characters`);
      } else if (RESERVED_NAMESPACES.includes(namespace) || namespace === operator?.namespace) {
        r.fail(`${path}.namespace`, `${show(namespace)} is reserved (the stack creates and deletes the region's namespace); not allowed: ${list([...RESERVED_NAMESPACES, operator?.namespace ?? DEFAULTS.operator.namespace])}`);
      }
    }
    const context = o.context === undefined ? undefined : r.string(`${path}.context`, o.context);
    const external = o.external === undefined || o.external === null ? undefined : readExternal(r, `${path}.external`, o.external);
    const known = name ? KNOWN_REGIONS[name] : undefined;
    const code = r.string(`${path}.code`, o.code, known?.code ?? defaultCode(name ?? ''));
    const warehouses = readWarehouses(r, `${path}.warehouses`, o.warehouses, known?.warehouses ?? [`${title(name ?? '')} Central`]);
    if (name !== undefined && alias !== undefined) {
      regions.push({
        name,
        namespace: namespace ?? name,
        alias,
        ...(context ? { context } : {}),
        ...(external ? { external } : {}),
        code: code!,
        warehouses,
        topicConfig: {},
      });
    }
  });
  return regions;
}

/** Listener types Strimzi knows that cannot serve a region on another cluster, and why (for the message). */
const UNREACHABLE_LISTENER_TYPES: Readonly<Record<string, string>> = {
  internal: 'its Services are only reachable inside the region\'s own Kubernetes cluster (the mesh already has such a listener)',
  'cluster-ip': 'its Services are only reachable inside the region\'s own Kubernetes cluster',
  route: 'it needs OpenShift Routes, which a Kubernetes cluster does not serve',
  tlsroute: 'it needs the Gateway API TLSRoute CRDs and a gateway with TLS passthrough, which this stack does not set up',
};
const HOST = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ADDRESS = /^[^\s:,]+:[0-9]{1,5}$/;
const CIDR = /^(([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:]*:[0-9a-fA-F:]*\/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$/;

/**
 * `regions[].external`: the listener regions on other clusters read through. What each type needs comes from what
 * Strimzi 1.2.0 does with it (KafkaListenersReconciler): a load balancer's address is put into the brokers'
 * certificates by the operator; ingress needs a host per broker; node ports are advertised with the node's address,
 * which no certificate names, so a node port listener needs DNS names that the certificates can carry.
 */
function readExternal(r: Reader, path: string, value: Json): ExternalListener | undefined {
  const o = r.object(path, value, ['type', 'bootstrapHost', 'brokerHostTemplate', 'bootstrapNodePort', 'class', 'sourceRanges', 'bootstrapServers']);
  if (!o) return undefined;
  if (typeof o.type === 'string' && UNREACHABLE_LISTENER_TYPES[o.type]) {
    r.fail(`${path}.type`, `${show(o.type)} cannot serve regions on other clusters: ${UNREACHABLE_LISTENER_TYPES[o.type]}; allowed: ${list(EXTERNAL_LISTENER_TYPES)}`);
    return undefined;
  }
  const type = r.oneOf(`${path}.type`, o.type, EXTERNAL_LISTENER_TYPES, 'loadbalancer');
  const host = (key: string) => {
    const v = o[key] === undefined ? undefined : r.string(`${path}.${key}`, o[key]);
    if (v === undefined) return undefined;
    const bare = v.replace('{nodeId}', '0');
    if (!HOST.test(bare)) r.fail(`${path}.${key}`, `${show(v)} is not a DNS name (lowercase letters, digits, "-" and ".")`);
    return v;
  };
  const bootstrapHost = host('bootstrapHost');
  const brokerHostTemplate = host('brokerHostTemplate');
  if (brokerHostTemplate !== undefined && !brokerHostTemplate.includes('{nodeId}')) {
    r.fail(`${path}.brokerHostTemplate`, `${show(brokerHostTemplate)} must contain {nodeId}, so that each broker gets its own name (e.g. "broker-{nodeId}.kafka.example.com")`);
  }
  const bootstrapNodePort = o.bootstrapNodePort === undefined ? undefined : r.integer(`${path}.bootstrapNodePort`, o.bootstrapNodePort, undefined, 1);
  if (bootstrapNodePort !== undefined && (bootstrapNodePort < 30000 || bootstrapNodePort > 32767)) {
    r.fail(`${path}.bootstrapNodePort`, `${bootstrapNodePort} is outside Kubernetes' default node port range, 30000-32767`);
  }
  const cls = o.class === undefined ? undefined : r.string(`${path}.class`, o.class);
  let sourceRanges: string[] | undefined;
  if (o.sourceRanges !== undefined && o.sourceRanges !== null) {
    const items = r.array(`${path}.sourceRanges`, o.sourceRanges) ?? [];
    if (items.length === 0) r.fail(`${path}.sourceRanges`, 'needs at least one CIDR range (leave it out to allow any address)');
    sourceRanges = items.map((item, i) => {
      if (typeof item !== 'string' || !CIDR.test(item)) r.fail(`${path}.sourceRanges[${i}]`, `${show(item)} is not a CIDR range such as "203.0.113.0/24" or "2001:db8::/32"`);
      return String(item);
    });
  }
  const bootstrapServers = o.bootstrapServers === undefined ? undefined : r.string(`${path}.bootstrapServers`, o.bootstrapServers);
  if (bootstrapServers !== undefined && !bootstrapServers.split(',').every((a) => ADDRESS.test(a.trim()))) {
    r.fail(`${path}.bootstrapServers`, `${show(bootstrapServers)} is not a list of host:port addresses separated by ","`);
  }
  if (type === 'ingress') {
    const missing = [bootstrapHost === undefined && 'bootstrapHost', brokerHostTemplate === undefined && 'brokerHostTemplate'].filter(Boolean);
    if (missing.length) {
      r.fail(path, `type "ingress" needs ${missing.join(' and ')}: Strimzi makes an Ingress per broker and for the bootstrap, each with its own host (TLS passthrough), e.g. bootstrapHost: kafka.example.com, brokerHostTemplate: broker-{nodeId}.kafka.example.com`);
    }
  }
  if (type === 'nodeport') {
    const missing = [bootstrapHost === undefined && 'bootstrapHost', brokerHostTemplate === undefined && 'brokerHostTemplate', bootstrapNodePort === undefined && 'bootstrapNodePort'].filter(Boolean);
    if (missing.length) {
      r.fail(path, `type "nodeport" needs ${missing.join(', ')}: Strimzi advertises node ports with the node's address, which no broker certificate names, so TLS hostname verification fails; give DNS names that resolve to the nodes (bootstrapHost, brokerHostTemplate with {nodeId}) and the bootstrap's node port (30000-32767)`);
    }
  }
  if (type !== 'nodeport' && bootstrapNodePort !== undefined) r.fail(`${path}.bootstrapNodePort`, 'applies only to type "nodeport"');
  if (type === 'nodeport' && cls !== undefined) r.fail(`${path}.class`, 'applies only to types "loadbalancer" and "ingress"');
  if (type !== 'loadbalancer' && sourceRanges !== undefined) {
    r.fail(`${path}.sourceRanges`, 'applies only to type "loadbalancer" (Strimzi sets them as the Services\' loadBalancerSourceRanges); restrict node ports and ingresses with the cluster\'s firewall or the ingress controller');
  }
  if (type === undefined) return undefined;
  return {
    type,
    ...(bootstrapHost !== undefined ? { bootstrapHost } : {}),
    ...(brokerHostTemplate !== undefined ? { brokerHostTemplate } : {}),
    ...(bootstrapNodePort !== undefined ? { bootstrapNodePort } : {}),
    ...(cls !== undefined ? { class: cls } : {}),
    ...(sourceRanges !== undefined ? { sourceRanges } : {}),
    ...(bootstrapServers !== undefined ? { bootstrapServers } : {}),
  };
}

function readWarehouses(r: Reader, path: string, value: Json, fallback: readonly string[]): string[] {
  if (value === undefined || value === null) return [...fallback];
  const items = r.array(path, value);
  if (!items) return [];
  if (items.length === 0) r.fail(path, 'needs at least one warehouse');
  return items.map((w, i) => r.string(`${path}[${i}]`, w)).filter((w): w is string => w !== undefined);
}

function readTopics(r: Reader, value: Json, kafka: KafkaOptions | undefined, regions: readonly Region[], topicConfigs: TopicConfigTable | undefined): CanonicalTopic[] {
  if (value === undefined) {
    r.fail('topics', 'is required: a list of at least one canonical topic');
    return [];
  }
  const items = r.array('topics', value);
  if (!items) return [];
  if (items.length === 0) r.fail('topics', 'needs at least one canonical topic');

  const topics: CanonicalTopic[] = [];
  const seen = new Map<string, number>();
  const collisions = new Map<string, number>();
  const resourceNames = new Map<string, number>();
  const brokers = kafka?.brokers ?? DEFAULTS.kafka.brokers;
  items.forEach((item, i) => {
    const path = `topics[${i}]`;
    const o = r.object(path, item, ['name', 'partitions', 'replicas', 'config']);
    if (!o) return;
    const name = r.string(`${path}.name`, o.name);
    let nameOk = name !== undefined && checkTopicName(r, `${path}.name`, name, regions);
    if (name !== undefined && nameOk) {
      // Kafka refuses topics whose names differ only in "." versus "_" (they collide in metric names).
      const collisionKey = name.replace(/\./g, '_');
      if (seen.has(name)) {
        r.fail(`${path}.name`, `${show(name)} repeats topics[${seen.get(name)}].name; topic names must be unique`);
        nameOk = false;
      } else if (collisions.has(collisionKey)) {
        r.fail(`${path}.name`, `${show(name)} collides with topics[${collisions.get(collisionKey)}].name: Kafka treats "." and "_" alike in topic names`);
        nameOk = false;
      }
      seen.set(name, i);
      collisions.set(collisionKey, i);
    }
    const partitions = r.integer(`${path}.partitions`, o.partitions, DEFAULTS.topic.partitions, 1);
    const replicas = r.integer(`${path}.replicas`, o.replicas, Math.min(brokers, DEFAULTS.topic.maxDefaultReplicas), 1);
    if (replicas !== undefined && replicas > brokers) {
      r.fail(`${path}.replicas`, `${replicas} is more than kafka.brokers (${brokers}); allowed: 1 to ${brokers}`);
    }
    if (replicas === 1 && kafka?.storage.type === 'ephemeral') {
      // An emptyDir lives as long as its pod: a broker restart (rolling update, CA renewal, node drain) empties the only replica.
      const raise = brokers >= 2 ? `set replicas from 2 to ${brokers}` : 'raise kafka.brokers to 2 or more and replicas to 2 or more';
      r.fail(`${path}.replicas`, `1 replica of topic ${show(name ?? '')} on ephemeral storage (kafka.storage.type: "ephemeral") loses the topic's data at any broker restart; ${raise}, or use persistent storage (kafka.storage.type: "persistent", the default)`);
    }
    const config = r.config(`${path}.config`, o.config, topicConfigs);
    checkMinInsync(r, `${path}.config`, config, replicas);
    if (name === undefined || !nameOk || partitions === undefined || replicas === undefined) return;
    const resourceName = topicResourceName(name);
    if (resourceNames.has(resourceName)) {
      r.fail(`${path}.name`, `${show(name)} and topics[${resourceNames.get(resourceName)}].name map to the same KafkaTopic resource name "${resourceName}"; rename one`);
      return;
    }
    resourceNames.set(resourceName, i);
    topics.push({ name, resourceName, partitions, replicas, config });
  });
  return topics;
}

function checkTopicName(r: Reader, path: string, name: string, regions: readonly Region[]): boolean {
  const problems: string[] = [];
  if (name === '.' || name === '..') problems.push(`${show(name)} is not a legal Kafka topic name`);
  else if (!TOPIC_CHARS.test(name)) problems.push(`${show(name)} has characters Kafka does not allow; allowed: letters, digits, ".", "_", "-"`);
  else if (name.length > MAX_TOPIC_NAME) problems.push(`${show(name)} is ${name.length} characters long; Kafka allows at most ${MAX_TOPIC_NAME}`);
  else {
    const owner = regions.find((region) => name.startsWith(region.alias + COPY_SEPARATOR));
    if (owner) {
      problems.push(`${show(name)} is already the name of a copy from region "${owner.name}" (${copyName(owner.alias, '<topic>')}); a canonical topic must not start with a region alias and "${COPY_SEPARATOR}"`);
    } else if (NEVER_MIRRORED.some((p) => new RegExp(`^(?:${p.source})$`).test(name))) {
      problems.push(`${show(name)} looks like an internal topic (*.internal, *-internal, *.replica, __*), which MirrorMaker 2 may leave out; a canonical topic must always be mirrored`);
    } else if (Object.values(MIRROR_MAKER).includes(name as never)) {
      problems.push(`${show(name)} is the name of a MirrorMaker 2 storage topic`);
    } else {
      const longest = Math.max(0, ...regions.map((region) => copyName(region.alias, name).length));
      if (longest > MAX_TOPIC_NAME) problems.push(`${show(name)} is too long for its copies (<alias>${COPY_SEPARATOR}${name} would be ${longest} characters; Kafka allows ${MAX_TOPIC_NAME})`);
    }
  }
  problems.forEach((p) => r.fail(path, p));
  return problems.length === 0;
}

function checkMinInsync(r: Reader, path: string, config: Record<string, ConfigValue>, replicas: number | undefined): void {
  const minIsr = config['min.insync.replicas'];
  if (minIsr !== undefined && replicas !== undefined && Number(minIsr) > replicas) {
    r.fail(`${path}.min.insync.replicas`, `${minIsr} is more than the topic's replicas (${replicas}); producers with acks=all could never write`);
  }
}

/** Per-region overrides of canonical topic config (`regions[i].topicConfig`), merged over the topic's config. */
function readTopicOverrides(r: Reader, value: Json, topics: readonly CanonicalTopic[], topicConfigs: TopicConfigTable | undefined): Map<string, Region['topicConfig']> {
  const byRegion = new Map<string, Region['topicConfig']>();
  if (!Array.isArray(value)) return byRegion;
  value.forEach((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return;
    const overrides = (item as Obj).topicConfig;
    if (overrides === undefined) return;
    const path = `regions[${i}].topicConfig`;
    if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
      r.fail(path, `must be a mapping of canonical topic names to config, got ${show(overrides)}`);
      return;
    }
    const resolved: Record<string, Record<string, ConfigValue>> = {};
    for (const [topicName, config] of Object.entries(overrides as Obj)) {
      const topic = topics.find((t) => t.name === topicName);
      if (!topic) {
        r.fail(join(path, topicName), `is not a canonical topic; allowed: ${list(topics.map((t) => t.name))}`);
        continue;
      }
      resolved[topicName] = r.config(join(path, topicName), config, topicConfigs);
      checkMinInsync(r, join(path, topicName), resolved[topicName], topic.replicas);
    }
    if (typeof (item as Obj).name === 'string') byRegion.set((item as Obj).name as string, resolved);
  });
  return byRegion;
}

function readMirrorMaker(r: Reader, value: Json): MirrorMakerOptions | undefined {
  const o = r.object('mirrorMaker', value, ['replicas', 'tasksMax', 'refreshTopicsIntervalSeconds', 'resources', 'wan', 'copyCompression']);
  if (!o) return undefined;
  const d = DEFAULTS.mirrorMaker;
  const replicas = r.integer('mirrorMaker.replicas', o.replicas, d.replicas, 1);
  const tasksMax = r.integer('mirrorMaker.tasksMax', o.tasksMax, d.tasksMax, 1);
  const refresh = r.integer('mirrorMaker.refreshTopicsIntervalSeconds', o.refreshTopicsIntervalSeconds, d.refreshTopicsIntervalSeconds, 1);
  const resources = r.resources('mirrorMaker.resources', o.resources, d.resources);
  const wan = readWan(r, o.wan);
  const copyCompression = r.oneOf('mirrorMaker.copyCompression', o.copyCompression, COMPRESSION_TYPES, d.copyCompression);
  if (replicas === undefined || tasksMax === undefined || refresh === undefined || wan === undefined || copyCompression === undefined) return undefined;
  return { replicas, tasksMax, refreshTopicsIntervalSeconds: refresh, resources, wan, copyCompression };
}

/** Limits of mirrorMaker.wan: a round trip up to 10 s, a mirror's rate up to 1000 MB/s. */
export const WAN_LIMITS = { roundTripMs: { min: 1, max: 10_000 }, throughputMBps: { min: 0.01, max: 1000 } } as const;

function readWan(r: Reader, value: Json): WanOptions | undefined {
  const o = r.object('mirrorMaker.wan', value, ['roundTripMs', 'throughputMBps']);
  if (!o) return undefined;
  const d = DEFAULTS.mirrorMaker.wan;
  const within = (path: string, v: number | undefined, limits: { min: number; max: number }, kind: string) => {
    if (v !== undefined && v > limits.max) {
      r.fail(path, `must be ${kind} from ${limits.min} to ${limits.max}, got ${v}`);
      return undefined;
    }
    return v;
  };
  const roundTripMs = within('mirrorMaker.wan.roundTripMs', r.integer('mirrorMaker.wan.roundTripMs', o.roundTripMs, d.roundTripMs, WAN_LIMITS.roundTripMs.min), WAN_LIMITS.roundTripMs, 'an integer');
  const throughputMBps = within('mirrorMaker.wan.throughputMBps', r.number('mirrorMaker.wan.throughputMBps', o.throughputMBps, d.throughputMBps, WAN_LIMITS.throughputMBps.min), WAN_LIMITS.throughputMBps, 'a number');
  if (roundTripMs === undefined || throughputMBps === undefined) return undefined;
  const wan = { roundTripMs, throughputMBps };
  if (2 * bandwidthDelayProduct(wan) > MAX_FETCH_BYTES) {
    r.fail('mirrorMaker.wan', `a round trip of ${roundTripMs} ms at ${throughputMBps} MB/s puts ${(bandwidthDelayProduct(wan) / 1e6).toFixed(0)} MB in flight; the mirrors' fetch size (twice that) would exceed ${MAX_FETCH_BYTES / 1024 / 1024} MiB; allowed: roundTripMs x throughputMBps up to ${Math.floor(MAX_FETCH_BYTES / 2 / 1000)}`);
    return undefined;
  }
  return wan;
}

function readApps(r: Reader, value: Json, topics: readonly CanonicalTopic[]): AppOptions | undefined {
  const o = r.object('apps', value, ['enabled', 'topic', 'intervalSeconds', 'image']);
  if (!o) return undefined;
  const d = DEFAULTS.apps;
  const fallbackTopic = topics.some((t) => t.name === d.preferredTopic) ? d.preferredTopic : topics[0]?.name;
  const topic = r.string('apps.topic', o.topic, fallbackTopic ?? d.preferredTopic);
  if (topic !== undefined && topics.length > 0 && !topics.some((t) => t.name === topic)) {
    r.fail('apps.topic', `${show(topic)} is not a canonical topic; allowed: ${list(topics.map((t) => t.name))}`);
  }
  const enabled = r.boolean('apps.enabled', o.enabled, d.enabled);
  const intervalSeconds = r.number('apps.intervalSeconds', o.intervalSeconds, d.intervalSeconds, 0.001);
  const image = r.string('apps.image', o.image, d.image);
  if (topic === undefined || enabled === undefined || intervalSeconds === undefined || image === undefined) return undefined;
  return { enabled, topic, intervalSeconds, image };
}

function readMetrics(r: Reader, value: Json): MetricsOptions | undefined {
  const o = r.object('metrics', value, ['enabled', 'podMonitors']);
  if (!o) return undefined;
  const enabled = r.boolean('metrics.enabled', o.enabled, DEFAULTS.metrics.enabled);
  const podMonitors = r.boolean('metrics.podMonitors', o.podMonitors, DEFAULTS.metrics.podMonitors);
  if (enabled === undefined || podMonitors === undefined) return undefined;
  if (podMonitors && !enabled) r.fail('metrics.podMonitors', 'needs metrics.enabled: true (there is nothing to scrape otherwise)');
  return { enabled, podMonitors };
}

function readUi(r: Reader, value: Json): UiOptions | undefined {
  const o = r.object('ui', value, ['enabled', 'repository', 'chartVersion']);
  if (!o) return undefined;
  const enabled = r.boolean('ui.enabled', o.enabled, DEFAULTS.ui.enabled);
  const repository = r.string('ui.repository', o.repository, DEFAULTS.ui.repository);
  const chartVersion = r.string('ui.chartVersion', o.chartVersion, DEFAULTS.ui.chartVersion);
  if (enabled === undefined || repository === undefined || chartVersion === undefined) return undefined;
  return { enabled, repository, chartVersion };
}

function readMeshName(r: Reader, value: Json): string | undefined {
  if (value === undefined || value === null) {
    r.fail('name', `is required: the mesh's name keys its stacks and Terraform state, so that deploying another mesh file (or none) never touches this mesh; e.g. name: prod-orders (a lowercase DNS label of at most 30 characters, starting with a letter)`);
    return undefined;
  }
  const name = r.string('name', value);
  if (name === undefined) return undefined;
  if (!MESH_NAME.test(name)) {
    r.fail('name', `must be a lowercase DNS label of at most 30 characters that starts with a letter (a-z, 0-9, "-"), got ${show(name)}`);
    return undefined;
  }
  // A file may take the demo's name ("demo") on purpose: it then is the demo, changed (examples/europe-retention.yaml).
  return name;
}

function readDeploy(r: Reader, value: Json, regions: readonly Region[], topics: readonly CanonicalTopic[]): DeployOptions | undefined {
  const o = r.object('deploy', value, ['readyTimeoutSeconds', 'allowDataLoss']);
  if (!o) return undefined;
  const readyTimeoutSeconds = r.integer('deploy.readyTimeoutSeconds', o.readyTimeoutSeconds, DEFAULTS.deploy.readyTimeoutSeconds, 1);
  const allowDataLoss = readAllowDataLoss(r, o.allowDataLoss, regions, topics);
  if (readyTimeoutSeconds === undefined || allowDataLoss === undefined) return undefined;
  return { readyTimeoutSeconds, allowDataLoss };
}

/** What a deploy may delete on purpose: only what the mesh file no longer declares can be named. */
function readAllowDataLoss(r: Reader, value: Json, regions: readonly Region[], topics: readonly CanonicalTopic[]): DeployOptions['allowDataLoss'] | undefined {
  const path = 'deploy.allowDataLoss';
  const o = r.object(path, value, ['regions', 'topics', 'nodePools']);
  if (!o) return undefined;
  const names = (key: 'regions' | 'topics', declared: readonly string[], what: string): string[] => {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) {
      r.fail(`${path}.${key}`, `must be a list of ${what} names, got ${show(v)}`);
      return [];
    }
    (v as string[]).forEach((name, i) => {
      if (declared.includes(name)) {
        r.fail(`${path}.${key}[${i}]`, `${show(name)} is still declared in ${key}: list here only ${what}s removed from the mesh file whose deletion you intend`);
      }
    });
    return [...new Set(v as string[])];
  };
  const nodePools = o.nodePools === undefined || o.nodePools === null ? false : o.nodePools;
  if (typeof nodePools !== 'boolean') {
    r.fail(`${path}.nodePools`, `must be true or false, got ${show(nodePools)}`);
    return undefined;
  }
  return {
    regions: names('regions', regions.map((x) => x.name), 'region'),
    topics: names('topics', topics.map((x) => x.name), 'topic'),
    nodePools,
  };
}

/** KafkaTopic resource name for a topic name: Kubernetes names are lowercase DNS-1123 subdomains. */
export function topicResourceName(topic: string): string {
  const name = topic
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return (name || 'topic').slice(0, 253);
}

function defaultCode(name: string): string {
  const parts = name.split('-').filter(Boolean);
  const code = parts.length > 1 ? parts.map((p) => p[0]).join('') : name.slice(0, 2);
  return code.toUpperCase().slice(0, 3);
}

function title(name: string): string {
  return name
    .split('-')
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join(' ');
}

function show(value: Json): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function list(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function join(path: string, key: string): string {
  return path === '(top level)' ? key : `${path}.${key}`;
}

/** The allowed key nearest to a typo, if it is near enough to be a likely intent. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
