/**
 * The shared-topic mesh as data: what a platform team describes (regions, canonical topics, options),
 * resolved so that every default is filled in. Pure TypeScript, no cdktf: the constructs turn this into
 * resources, the tests and the Kafka tier read it, and `validate.ts` is the one place that checks it.
 */

/** A scalar Kafka topic config value; numbers and booleans are written as strings. */
export type ConfigValue = string;

/** A region: one Kubernetes namespace holding one Kafka cluster, its canonical topics, a MirrorMaker 2 and the demo apps. */
export interface Region {
  /** Kafka cluster name (a DNS-1123 label), and the region's name in messages, keys and outputs. */
  readonly name: string;
  /** Namespace the region lives in, on its Kubernetes cluster (a DNS-1123 label; the mesh file's default: the name). */
  readonly namespace: string;
  /** MirrorMaker 2 cluster alias and the prefix of this region's copies in other regions. */
  readonly alias: string;
  /**
   * kubeconfig context of the Kubernetes cluster the region lives on, as the mesh file writes it; undefined = the
   * current context. Which cluster that is gets decided at synth (mesh/clusters.ts).
   */
  readonly context?: string;
  /**
   * How regions on other Kubernetes clusters reach this region's Kafka, as the mesh file writes it; undefined = the
   * default (a load balancer) when the mesh spans more than one cluster (mesh/clusters.ts).
   */
  readonly external?: ExternalListener;
  /** Short region code written into each order event (e.g. "NA"). */
  readonly code: string;
  /** Warehouses the demo producer ships orders from. */
  readonly warehouses: readonly string[];
  /** Per-topic config overrides for this region's canonical topics (topic name -> config). */
  readonly topicConfig: Readonly<Record<string, Readonly<Record<string, ConfigValue>>>>;
}

/**
 * Kafka listener types that another Kubernetes cluster can reach, as Strimzi names them. Strimzi also has `route`
 * (OpenShift only) and `tlsroute` (Gateway API), which this stack does not offer, and `internal` and `cluster-ip`,
 * which only the region's own cluster reaches.
 */
export const EXTERNAL_LISTENER_TYPES = ['loadbalancer', 'nodeport', 'ingress'] as const;
export type ExternalListenerType = (typeof EXTERNAL_LISTENER_TYPES)[number];

/**
 * The listener every region on another Kubernetes cluster reads a region through (TLS + SCRAM-SHA-512, like the
 * internal one). Names the mesh file gives are added to the brokers' certificates, so clients verify them.
 */
export interface ExternalListener {
  readonly type: ExternalListenerType;
  /** The bootstrap's DNS name (ingress and nodeport: required; loadbalancer: a name pointing at the load balancer). */
  readonly bootstrapHost?: string;
  /** Each broker's DNS name, with `{nodeId}` (ingress and nodeport: required; loadbalancer: optional). */
  readonly brokerHostTemplate?: string;
  /** nodeport: the bootstrap Service's node port (required: with it, the address is known before deploying). */
  readonly bootstrapNodePort?: number;
  /** Ingress class, or load balancer class, of the controller that serves the listener; undefined = the cluster's default. */
  readonly class?: string;
  /** loadbalancer: the CIDR ranges allowed to connect (the other clusters' egress); undefined = any address. */
  readonly sourceRanges?: readonly string[];
  /**
   * The address other regions use (`host:port[,host:port]`) when the user knows it; undefined = the address the
   * region's Kafka reports for the listener (its `status.listeners`), or `<bootstrapHost>:<bootstrapNodePort>`.
   */
  readonly bootstrapServers?: string;
}

/** A canonical topic: created identically in every region, and mirrored into every other region as `<alias>.<name>`. */
export interface CanonicalTopic {
  /** The Kafka topic name. */
  readonly name: string;
  /** Kubernetes name of its KafkaTopic resource (derived from the topic name). */
  readonly resourceName: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly config: Readonly<Record<string, ConfigValue>>;
}

export type KafkaStorage =
  | { readonly type: 'ephemeral'; readonly size?: string }
  | { readonly type: 'persistent'; readonly size: string; readonly storageClass?: string };

export interface ResourceRequirements {
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
}

export interface KafkaOptions {
  /** Broker nodes per region. */
  readonly brokers: number;
  /** Dedicated KRaft controller nodes per region; 0 = the brokers are also the controllers. */
  readonly controllers: number;
  readonly storage: KafkaStorage;
  readonly resources: ResourceRequirements;
  /** Kafka version, one the operator supports (mesh/strimzi/); undefined = the operator's default (Strimzi 1.2.0: 4.3.1). */
  readonly version?: string;
  /**
   * Seconds after which every SASL (SCRAM) session must re-authenticate, or the broker closes it: how long a rotated
   * or removed password keeps working in a session opened before (the brokers' `connections.max.reauth.ms`).
   */
  readonly reauthenticationSeconds: number;
}

/** Kafka producer compression codecs (`compression.type`), as Kafka's CompressionType names them. */
export const COMPRESSION_TYPES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionType = (typeof COMPRESSION_TYPES)[number];

/**
 * The link between two regions that every mirror must keep up over: what the MirrorMaker 2 settings that depend on
 * distance are sized for (mesh/mirror-settings.ts).
 */
export interface WanOptions {
  /** The longest round trip between two regions of the mesh, in milliseconds. */
  readonly roundTripMs: number;
  /** The highest rate one mirror (one source region's canonical topics into one other region) must carry, in MB/s. */
  readonly throughputMBps: number;
}

export interface MirrorMakerOptions {
  /** Kafka Connect pods per region's MirrorMaker 2. */
  readonly replicas: number;
  /** Maximum tasks of each mirror's source connector. */
  readonly tasksMax: number;
  /** How often each mirror looks for new canonical topics and partitions at the source. */
  readonly refreshTopicsIntervalSeconds: number;
  readonly resources: ResourceRequirements;
  /** The links the mirrors run over. */
  readonly wan: WanOptions;
  /** Compression codec of the copies MirrorMaker 2 writes into its region (its producer's `compression.type`). */
  readonly copyCompression: CompressionType;
}

export interface AppOptions {
  /** Deploy the demo producer and consumer in every region. */
  readonly enabled: boolean;
  /** The canonical topic the producer writes and the consumer reads (with all its copies). */
  readonly topic: string;
  /** Seconds between two orders of one producer. */
  readonly intervalSeconds: number;
  /** Container image with the Kafka console clients (a public, stock image). */
  readonly image: string;
}

export interface OperatorOptions {
  /** Strimzi Helm chart version. */
  readonly version: string;
  /** Helm chart repository (OCI). */
  readonly repository: string;
  /** Namespace the operator runs in (created by the stack, per Kubernetes cluster). */
  readonly namespace: string;
  /** Delete Strimzi's CRDs on destroy (Helm never deletes a chart's CRDs); needs kubectl at destroy time. */
  readonly deleteCrdsOnDestroy: boolean;
}

export interface MetricsOptions {
  /** Prometheus metrics from Kafka, MirrorMaker 2 and a Kafka Exporter per region. */
  readonly enabled: boolean;
  /** Also declare a PodMonitor per region (needs the Prometheus operator's CRDs in the cluster). */
  readonly podMonitors: boolean;
}

export interface UiOptions {
  /** Deploy a web UI (Kafbat UI) per region, read-only, behind a login. */
  readonly enabled: boolean;
  /** Helm chart repository and version of the `kafka-ui` chart. */
  readonly repository: string;
  readonly chartVersion: string;
}

/**
 * Deletions of data that a deploy may make because the mesh file says so. Without them, a deploy whose change would
 * delete a Kafka, a node pool (with its brokers and volumes), a canonical topic or a region's namespace is refused
 * before anything changes (stacks/data-loss.ts).
 */
export interface DataLossAllowance {
  /** Regions removed from the mesh file whose Kafka, volumes, topics, users and namespace may be deleted. */
  readonly regions: readonly string[];
  /** Canonical topics removed from the mesh file that may be deleted, with their data, in every region. */
  readonly topics: readonly string[];
  /** Node pools may be replaced (`kafka.controllers` changed between 0 and more, or new pools for new storage): every broker and volume of the old pools goes. */
  readonly nodePools: boolean;
}

export interface DeployOptions {
  /** What this deploy may delete on purpose; @default nothing */
  readonly allowDataLoss: DataLossAllowance;
  /**
   * How long a deploy waits for each Strimzi resource to report Ready for its latest generation, and for each demo
   * app to roll out. A wait that runs out fails the deploy; the resource stays, and the next deploy waits again.
   */
  readonly readyTimeoutSeconds: number;
}

/** The resolved mesh: every default filled in, validated. */
export interface Mesh {
  /**
   * The mesh's name: it keys the stacks and so their Terraform state (`<name>-operator`, `<name>-mesh`), so that a
   * deploy of one mesh file can never change another mesh's resources. Required in a mesh file; the built-in demo
   * (MESH_CONFIG unset) is `demo`, and a file named `demo` is the demo, changed.
   */
  readonly name: string;
  readonly regions: readonly Region[];
  readonly topics: readonly CanonicalTopic[];
  readonly kafka: KafkaOptions;
  readonly mirrorMaker: MirrorMakerOptions;
  readonly apps: AppOptions;
  readonly metrics: MetricsOptions;
  readonly ui: UiOptions;
  readonly operator: OperatorOptions;
  readonly deploy: DeployOptions;
  /**
   * Path of the kubeconfig file the providers read; undefined = as kubectl: $KUBECONFIG (a list of files), else
   * ~/.kube/config (see kubeconfig.ts).
   */
  readonly kubeconfig?: string;
}

/** MirrorMaker 2's DefaultReplicationPolicy separator: copies are named `<sourceAlias><SEPARATOR><topic>`. */
export const COPY_SEPARATOR = '.';

/** Listener port of the internal TLS + SCRAM-SHA-512 listener every client in the region's own cluster uses. */
export const TLS_LISTENER_PORT = 9093;

/** Name and port of the external TLS + SCRAM-SHA-512 listener, in a mesh on more than one Kubernetes cluster. */
export const EXTERNAL_LISTENER = { name: 'external', port: 9094 } as const;
