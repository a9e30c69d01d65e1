/**
 * Runs a synthesized mesh on this machine: per region a KRaft broker (SCRAM-SHA-512, StandardAuthorizer), the
 * topics, users and ACLs of its KafkaTopic/KafkaUser resources, a Kafka Connect worker with the MirrorMaker 2
 * connectors that Strimzi generates from its KafkaMirrorMaker2, and the demo apps' producer and consumer.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { Agent, AgentError } from './agent';
import { AppSpec, readApp } from './apps';
import { configuredLinks, describeLink, LinkEmulator, LinkSpec } from './link';
import { AddressMap, clampReplication, ExternalEndpoint, INTERVAL_SECONDS, localBrokerConfig, localConnectorConfig, localWorkerProperties, makeAddressMap, note } from './local';
import { ensureBuilt, JavaProcess, log4jConfig, reapStaleRuns, RUNS_DIR, stopAll } from './procs';
import {
  BROKER_COMMON_LISTENER_SETTINGS, brokerCertSans, brokerListenerConfig, ConnectorDef, connectWorkerProperties, ExternalAddresses, externalListenerAddresses,
  KafkaListener, kafkaListeners, mirrorConnectors, NodeRef, Props, topicOf, userAcls,
} from './strimzi';
import { parseStatusRef, STATUS_MARK } from './synth';
import type { Manifest, MeshModel, RegionModel, SecretRef } from './synth';
import { makeCa, makeServerCert } from './tls';
import { Fatal, freePorts, log, portOpen, propertiesText, randomPassword, sleep, waitFor, writeFile } from './util';

const ADMIN = 'kafka-tier-admin';

export interface TopicSpec { name: string; partitions: number; replicas: number; config: Record<string, string> }

/** The ends of the emulated link from a source region to a target region's MirrorMaker 2. */
export interface LinkEnds {
  /** the source broker's listener of its own for this target, e.g. WAN1 */
  readonly listener: string;
  /** where that listener listens (the proxy's upstream) */
  readonly upstreamPort: number;
  /** where the proxy listens: what the listener advertises, and where the target's MirrorMaker 2 bootstraps */
  readonly proxyPort: number;
}

/** Listener types a Kafka is reached by from outside its Kubernetes cluster (those the tier runs). */
const EXTERNAL_TYPES = ['loadbalancer', 'nodeport', 'ingress'];
const SERVICE_ADDRESS = /^([a-z0-9-]+)-kafka-bootstrap(?:\.([a-z0-9-]+))?(?:\.svc(?:\.cluster\.local)?)?:(\d+)$/;

/** The Kafka's listener reached from outside its cluster (type loadbalancer, nodeport or ingress), if it has one. */
export function externalListenerOf(kafka: Manifest): KafkaListener | undefined {
  const ext = kafkaListeners(kafka).filter((l) => EXTERNAL_TYPES.includes(l.type));
  if (ext.length > 1) throw new Error(`Kafka ${kafka.metadata.namespace}/${kafka.metadata.name}: more than one external listener (${ext.map((l) => l.name).join(', ')}); the tier runs one`);
  return ext[0];
}

export class RegionRun {
  broker?: JavaProcess;
  connect?: JavaProcess;
  brokerPort = 0;
  /** where the tier runs the external listener (the load balancer's, node port's or ingress's stand-in) */
  externalPort = 0;
  /**
   * The external listener of a Kafka in a mesh on more than one cluster, and its addresses as Strimzi works them out
   * with the tier as the platform: load balancers at 127.0.0.1, node ports and nodes at 127.0.0.1 (strimzi.ts
   * externalListenerAddresses). The ports Strimzi serves it on are run on `externalPort`.
   */
  external?: { listener: KafkaListener; addresses: ExternalAddresses; endpoint: ExternalEndpoint };
  /** the cluster CA certificate (PEM) of the external listener's certificates: `<cluster>-cluster-ca-cert` ca.crt */
  caCert = '';
  /** the one broker node: id 0, pod `<cluster>-<first node pool>-0` */
  readonly node: NodeRef;
  controllerPort = 0;
  restPort = 0;
  alias = '';
  readonly cluster: string;
  readonly dir: string;
  readonly passwords: Record<string, string> = {};
  readonly adminPassword = randomPassword();
  topics: TopicSpec[] = [];
  connectors: ConnectorDef[] = [];
  producer!: AppSpec;
  consumer!: AppSpec;
  /** target namespace -> the link from this region (as a source) to that region's MirrorMaker 2 */
  readonly linksOut = new Map<string, LinkEnds>();

  constructor(readonly model: RegionModel, runDir: string) {
    this.cluster = model.kafka.metadata.name;
    this.dir = path.join(runDir, model.namespace);
    this.node = { nodeId: 0, podName: `${this.cluster}-${model.nodePools[0]?.metadata.name ?? 'kafka'}-0` };
  }
  get ns(): string { return this.model.namespace; }
  get bootstrap(): string { return `127.0.0.1:${this.brokerPort}`; }
  /** The external listener's `status.listeners[].bootstrapServers` as the tier runs it (Strimzi's addresses, each on `externalPort`). */
  get externalBootstrap(): string {
    if (!this.external) throw new Error(`${this.ns}: Kafka ${this.cluster} has no external listener`);
    return localiseExternal(this.external.addresses.status.bootstrapServers, this.externalPort);
  }
}

/** What a consumer received: per event id the number of deliveries, and per topic the end-to-end latencies. */
export class Tally {
  readonly counts = new Map<string, number>();
  readonly topics = new Map<string, number>();
  readonly latencies = new Map<string, number[]>();
  /** per topic: first and last receipt time (ms) */
  readonly window = new Map<string, { first: number; last: number }>();
  assignment: string[] = [];
  add(topic: string, id: string | null, ts: number, recv: number): void {
    this.topics.set(topic, (this.topics.get(topic) ?? 0) + 1);
    const w = this.window.get(topic);
    if (!w) this.window.set(topic, { first: recv, last: recv });
    else w.last = Math.max(w.last, recv);
    if (!id) return;
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    if (ts > 0) {
      let l = this.latencies.get(topic);
      if (!l) this.latencies.set(topic, (l = []));
      l.push(recv - ts);
    }
  }
  reset(): void {
    this.counts.clear();
    this.topics.clear();
    this.latencies.clear();
    this.window.clear();
  }
}

/** A summary consumer's view of one topic: records, first and last receipt (ms), latency percentiles (ms; -1: none). */
export interface TopicSummary { count: number; first: number; last: number; latencies: number; p50: number; p90: number; p99: number; max: number }

/** `host:port[,host:port]` with every port replaced by the local one (one listener runs all of a region's external ports). */
function localiseExternal(addresses: string, port: number): string {
  return addresses.split(',').map((a) => `${a.trim().replace(/:\d+$/, '')}:${port}`).join(',');
}

export interface Produced { region: string; name: string; ids: string[]; sent: number; acked: number; failed: number; firstError?: string; lastError?: string }

export class MeshRun {
  readonly regions: RegionRun[];
  readonly agent: Agent;
  readonly tallies = new Map<string, Tally>();
  readonly runDir: string;
  private addr!: AddressMap;
  /** The slow links: one Toxiproxy proxy per ordered region pair, between each MirrorMaker 2 and its remote sources. */
  links!: LinkEmulator;
  /** How each link starts (KAFKA_TIER_LINKS; default: no delay). Key: `<sourceAlias>-><targetAlias>`. */
  linkSpec: (pair: string) => LinkSpec = configuredLinks();
  private operatorTimer?: NodeJS.Timeout;
  /** Hosts file of the JVMs that reach external listeners: every name of an external listener -> 127.0.0.1. */
  readonly hostsFile: string;
  readonly hasExternal: boolean;
  private consumersStarted = new Set<string>();

  /**
   * Extra MirrorMaker 2 settings layered over the synthesized ones (benchmark experiments only; the tests never set
   * it): `worker` keys go into the Connect worker properties, `connector` keys into every MirrorSourceConnector.
   */
  tuning: { worker?: Record<string, string>; connector?: Record<string, string> } = {};

  constructor(readonly mesh: MeshModel, readonly label: string) {
    this.runDir = path.join(RUNS_DIR, `${label}-${Date.now()}`);
    this.regions = mesh.regions.map((m) => new RegionRun(m, this.runDir));
    this.hostsFile = path.join(this.runDir, 'hosts');
    this.hasExternal = mesh.regions.some((r) => externalListenerOf(r.kafka));
    this.agent = new Agent(this.runDir, this.jvmOptions());
    this.agent.onRecords = (ev) => {
      const t = this.tallies.get(ev.name);
      if (t) for (const [topic, id, ts, recv] of ev.r) t.add(topic, id, ts, recv);
    };
    this.agent.onAssignment = (name, parts) => { const t = this.tallies.get(name); if (t) t.assignment = parts; };
    this.agent.onConsumerError = (name, err) => log(`consumer ${name} failed: ${err}`);
  }

  /** In-cluster bootstrap address -> local address (the one address substitution of the tier). */
  address(bootstrap: string, fromNs: string): string { return this.addr(bootstrap, fromNs); }

  region(ns: string): RegionRun {
    const r = this.regions.find((x) => x.ns === ns);
    if (!r) throw new Error(`no region ${ns}`);
    return r;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    ensureBuilt();
    reapStaleRuns();
    fs.mkdirSync(this.runDir, { recursive: true });
    log(`run ${this.label}: ${this.regions.length} regions (${this.regions.map((r) => r.ns).join(', ')}), input: ${this.mesh.source}, dir ${this.runDir}`);
    const n = this.regions.length;
    const linked = (source: RegionRun, target: RegionRun) => target !== source && this.mirrorsInternally(target, source);
    const pairs = this.regions.flatMap((s) => this.regions.filter((t) => linked(s, t))).length;
    const externals = this.regions.filter((r) => externalListenerOf(r.model.kafka)).length;
    const ports = await freePorts(3 * n + 2 * pairs + externals + 1);
    for (const r of this.regions) {
      r.brokerPort = ports.pop()!;
      r.controllerPort = ports.pop()!;
      r.restPort = ports.pop()!;
      if (externalListenerOf(r.model.kafka)) r.externalPort = ports.pop()!;
    }
    this.regions.forEach((source) => this.regions.forEach((target, i) => {
      if (linked(source, target)) source.linksOut.set(target.ns, { listener: `WAN${i}`, upstreamPort: ports.pop()!, proxyPort: ports.pop()! });
    }));
    this.links = new LinkEmulator(this.runDir, ports.pop()!);
    for (const r of this.regions) this.planExternal(r);
    this.addr = makeAddressMap(this.regions.map((r) => ({ namespace: r.ns, cluster: r.cluster, port: r.brokerPort })), this.regions.flatMap((r) => (r.external ? [r.external.endpoint] : [])));
    this.plan();
    if (this.hasExternal) this.writeHostsFile();
    for (const r of this.regions) if (r.external) this.makeCertificates(r);
    await this.links.start();
    for (const source of this.regions) {
      for (const target of this.regions) {
        if (target === source) continue;
        const ends = source.linksOut.get(target.ns);
        if (!ends) continue;
        const name = this.linkName(source, target);
        const spec = this.linkSpec(name);
        await this.links.add({ name, source: source.ns, target: target.ns, proxyPort: ends.proxyPort, upstreamPort: ends.upstreamPort }, spec);
        log(`link ${name}: 127.0.0.1:${ends.proxyPort} -> ${source.ns} listener ${ends.listener} 127.0.0.1:${ends.upstreamPort}; ${describeLink(spec)}`);
      }
    }
    await this.agent.start();
    await Promise.all(this.regions.map((r) => this.formatAndStartBroker(r)));
    await Promise.all(this.regions.map((r) => this.provision(r)));
    await Promise.all(this.regions.map((r) => this.startConnect(r)));
    await Promise.all(this.regions.map((r) => this.createConnectors(r)));
    this.operatorTimer = setInterval(() => { void this.reconcileAll(); }, INTERVAL_SECONDS * 1000);
    await this.waitForCopies(180_000);
  }

  async stop(): Promise<void> {
    if (this.operatorTimer) clearInterval(this.operatorTimer);
    await this.agent.stop().catch(() => undefined);
    // Connect workers first (clean leave of their groups), then brokers
    await Promise.all(this.regions.map((r) => r.connect?.stop(15_000)));
    await Promise.all(this.regions.map((r) => r.broker?.stop(20_000)));
    await this.links?.stop();
    await stopAll();
    const open: string[] = [];
    for (const r of this.regions) {
      for (const p of [r.brokerPort, r.controllerPort, r.restPort, r.externalPort, ...[...r.linksOut.values()].flatMap((l) => [l.upstreamPort, l.proxyPort])]) if (p && await portOpen(p)) open.push(`${r.ns}:${p}`);
    }
    if (this.links?.apiPort && await portOpen(this.links.apiPort)) open.push(`link emulator:${this.links.apiPort}`);
    if (open.length) throw new Error(`ports still open after stop: ${open.join(', ')}`);
    log(`run ${this.label} stopped; all processes ended, ports free`);
  }

  /** Reads what each region gets from the synthesized resources: alias, topics, connectors, apps. */
  private plan(): void {
    for (const r of this.regions) for (const mm2 of r.model.mirrorMakers) mm2.spec = this.resolveStatusReads(mm2.spec, `${r.ns}/${mm2.metadata.name}`);
    for (const r of this.regions) {
      const mm2s = r.model.mirrorMakers;
      if (mm2s.length !== 1) throw new Error(`${r.ns}: expected one KafkaMirrorMaker2, found ${mm2s.length}`);
      r.alias = mm2s[0].spec.target.alias;
      r.topics = r.model.topics.map((t) => {
        const spec = topicOf(t);
        const config = { ...spec.config };
        for (const k of Object.keys(config)) if (k === 'min.insync.replicas') config[k] = String(clampReplication(k, Number(config[k]), `${r.ns} KafkaTopic ${spec.name}`));
        return { ...spec, config, replicas: spec.replicas > 0 ? clampReplication('replicas', spec.replicas, `${r.ns} KafkaTopic ${spec.name}`) : spec.replicas };
      });
      r.producer = readApp(r.model, 'producer');
      r.consumer = readApp(r.model, 'consumer');
    }
    for (const r of this.regions) {
      const mm2 = r.model.mirrorMakers[0];
      const target = this.regionOfBootstrap(mm2.spec.target.bootstrapServers, r.ns);
      if (target !== r) throw new Error(`${r.ns}/${mm2.metadata.name}: target cluster is ${target.ns}, not the local one`);
      r.connectors = mirrorConnectors(mm2).map((c) => ({
        ...c,
        config: {
          ...localConnectorConfig(c.config, { addr: this.addr, sourceAddr: (b) => this.linkAddress(b, r), namespace: r.ns, where: `${r.ns} ${c.name}`,
            sourceTls: this.viaExternal(c.config['source.cluster.bootstrap.servers'], r.ns) }),
          ...(c.name.endsWith('MirrorSourceConnector') ? this.tuning.connector ?? {} : {}),
        },
      }));
      for (const m of mm2.spec.mirrors ?? []) {
        const src = this.regionOfBootstrap(m.source.bootstrapServers, r.ns);
        const own = src.model.mirrorMakers[0]?.spec.target.alias;
        if (own !== m.source.alias) throw new Error(`${r.ns}: mirror source ${src.ns} has alias ${m.source.alias}, but its own MirrorMaker 2 calls it ${own}; one alias per cluster is required for loop prevention`);
      }
    }
  }

  /** `<sourceAlias>-><targetAlias>`, as the mirror's connector is named. */
  linkName(source: RegionRun, target: RegionRun): string {
    return `${source.model.mirrorMakers[0]?.spec.target.alias ?? source.ns}->${target.model.mirrorMakers[0]?.spec.target.alias ?? target.ns}`;
  }

  /** The address a target's MirrorMaker 2 reaches a remote source at: the proxy of their link (a source on the same cluster), or the source's external listener. */
  private linkAddress(bootstrap: string, target: RegionRun): string {
    const source = this.regionOfBootstrap(bootstrap, target.ns);
    if (source === target) return this.addr(bootstrap, target.ns);
    if (this.viaExternal(bootstrap, target.ns)) {
      note(`a mirror's source on another cluster is reached at its external listener directly, without the link emulator (links are emulated between regions on one cluster only; e.g. ${source.ns} -> ${target.ns} at ${this.addr(bootstrap, target.ns)})`, 'external-link');
      return this.addr(bootstrap, target.ns);
    }
    const ends = source.linksOut.get(target.ns);
    if (!ends) throw new Error(`${target.ns}: no link from ${source.ns}`);
    note(`a mirror's remote source (source.cluster.bootstrap.servers) -> the link emulator's proxy of that region pair, 127.0.0.1:<proxy port>, whose upstream is a listener of the source broker of its own that advertises the proxy (e.g. ${bootstrap} from ${target.ns} -> 127.0.0.1:${ends.proxyPort} -> ${source.ns} ${ends.listener})`, 'link');
    return `127.0.0.1:${ends.proxyPort}`;
  }

  regionOfBootstrap(bootstrap: string, fromNs: string): RegionRun {
    const port = Number(/:(\d+)$/.exec(this.addr(bootstrap, fromNs).split(',')[0])?.[1]);
    const r = this.regions.find((x) => x.brokerPort === port || (x.externalPort && x.externalPort === port));
    if (!r) throw new Error(`no region for ${bootstrap}`);
    return r;
  }

  /** Whether a bootstrap address reaches its Kafka at the external listener (else at the internal one). */
  viaExternal(bootstrap: string, fromNs: string): boolean {
    const port = Number(/:(\d+)$/.exec(this.addr(bootstrap, fromNs).split(',')[0])?.[1]);
    return this.regions.some((x) => x.externalPort && x.externalPort === port);
  }

  /** Whether the target's MirrorMaker 2 reaches this source at an in-cluster Service address (a source on the same cluster). */
  private mirrorsInternally(target: RegionRun, source: RegionRun): boolean {
    const alias = source.model.mirrorMakers[0]?.spec.target.alias;
    const mirror = (target.model.mirrorMakers[0]?.spec.mirrors ?? []).find((m: any) => m.source.alias === alias);
    return !!mirror && typeof mirror.source.bootstrapServers === 'string' && mirror.source.bootstrapServers.split(',').every((a: string) => SERVICE_ADDRESS.test(a.trim()));
  }

  // ---------------------------------------------------------------- external listeners

  /** Works out the region's external listener as Strimzi would, with the tier as the platform. */
  private planExternal(r: RegionRun): void {
    const listener = externalListenerOf(r.model.kafka);
    if (!listener) return;
    const addresses = externalListenerAddresses(listener, [r.node], {
      loadBalancerAddress: () => '127.0.0.1',
      assignedNodePort: () => r.externalPort,
      nodeAddress: () => '127.0.0.1',
    });
    const hosts = [...new Set([...addresses.status.addresses.map((a) => a.host), ...addresses.bootstrapDnsNames, ...[...addresses.brokerDnsNames.values()].flat(), ...[...addresses.advertised.values()].map((a) => a.host)])];
    const servedPorts = [...new Set([...addresses.status.addresses.map((a) => a.port), ...[...addresses.advertised.values()].map((a) => a.port)])];
    r.external = { listener, addresses, endpoint: { namespace: r.ns, cluster: r.cluster, port: r.externalPort, hosts, servedPorts } };
    note(`external listener (type loadbalancer/nodeport/ingress): the tier is the platform: load balancers and nodes at 127.0.0.1, the ports Strimzi serves the listener on (9094 load balancer, 443 ingress, node ports) -> one free port per region (e.g. ${r.ns} ${listener.name} ${listener.type}: ${addresses.status.bootstrapServers} -> ${localiseExternal(addresses.status.bootstrapServers, r.externalPort)})`, 'external-platform');
    log(`${r.ns}: external listener ${listener.name} (${listener.type}) on 127.0.0.1:${r.externalPort}; status bootstrapServers ${addresses.status.bootstrapServers} (here ${r.externalBootstrap}); advertised ${[...addresses.advertised.values()].map((a) => `${a.host}:${a.port}`).join(',')}; names ${hosts.join(' ')}`);
  }

  /**
   * Terraform's apply-time read of a Kafka's status (data.kubernetes_resource, synth.ts STATUS_MARK): the listener's
   * `bootstrapServers`, from the external listener as the tier runs it. The tier is the source of truth for the
   * address here, as the operator is in a cluster.
   */
  private resolveStatusReads(value: any, where: string): any {
    if (typeof value === 'string') {
      if (!value.includes(STATUS_MARK)) return value;
      const ref = parseStatusRef(value);
      if (!ref) throw new Error(`${where}: a Kafka status read inside a longer string is not supported: ${JSON.stringify(value)}`);
      const src = this.regions.find((x) => x.ns === ref.namespace && x.cluster === ref.name);
      if (!src) throw new Error(`${where}: reads the status of Kafka ${ref.namespace}/${ref.name}, which is not in the mesh`);
      if (!src.external || src.external.listener.name !== ref.listener) throw new Error(`${where}: reads status.listeners[${ref.listener}] of Kafka ${ref.namespace}/${ref.name}, which has no such external listener`);
      const v = src.externalBootstrap;
      log(`${where}: data.kubernetes_resource Kafka ${ref.namespace}/${ref.name} status.listeners[name=${ref.listener}].bootstrapServers = ${src.external.addresses.status.bootstrapServers} (as Strimzi reports it; run here at ${v})`);
      return v;
    }
    if (Array.isArray(value)) return value.map((v) => this.resolveStatusReads(v, where));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolveStatusReads(v, where)]));
    return value;
  }

  private jvmOptions(): string[] {
    return this.hasExternal ? [`-Djdk.net.hosts.file=${this.hostsFile}`] : [];
  }

  /** Every external listener name -> 127.0.0.1, for the JVMs (jdk.net.hosts.file replaces the system resolver). */
  private writeHostsFile(): void {
    const names = new Set(['localhost', os.hostname()]);
    for (const r of this.regions) for (const h of r.external?.endpoint.hosts ?? []) if (!/^\d+(\.\d+){3}$/.test(h)) names.add(h);
    writeFile(this.hostsFile, `127.0.0.1 ${[...names].join(' ')}\n`);
    note(`the names of the external listeners resolve to 127.0.0.1 in the JVMs that reach them (-Djdk.net.hosts.file=<run>/hosts: ${[...names].join(' ')})`, 'hosts');
  }

  /** The region's cluster CA and its broker's certificate with the SANs Strimzi gives it, in the Secret files the broker reads. */
  private makeCertificates(r: RegionRun): void {
    const ca = makeCa(path.join(r.dir, 'tls', 'cluster-ca'));
    r.caCert = ca.cert;
    const sans = brokerCertSans(r.cluster, r.ns, r.node, [r.external!.addresses]);
    const cert = makeServerCert(path.join(r.dir, 'tls', r.node.podName), path.join(r.dir, 'tls', 'cluster-ca'), r.node.podName, `${r.cluster}-kafka`, sans);
    const secret = path.join(r.dir, 'secrets', r.ns, r.node.podName);
    writeFile(path.join(secret, `${r.node.podName}.crt`), cert.cert);
    writeFile(path.join(secret, `${r.node.podName}.key`), cert.key);
    note(`TLS on the external listener is real: per region a cluster CA and a broker certificate with Strimzi's SANs, made with openssl (e.g. ${r.ns}: DNS ${sans.dns.filter((d) => !d.includes('.svc')).join(' ')}${sans.ip.length ? `, IP ${sans.ip.join(' ')}` : ''})`, 'external-certs');
  }

  // ---------------------------------------------------------------- brokers

  private brokerProperties(r: RegionRun): string {
    const k = r.model.kafka.spec?.kafka ?? {};
    const scram = (k.listeners ?? []).find((l: any) => l.authentication?.type === 'scram-sha-512');
    if (!scram) throw new Error(`${r.ns}: Kafka ${r.cluster} has no listener with scram-sha-512 authentication`);
    note(`listener ${scram.name}:${scram.port} (tls=${scram.tls}, scram-sha-512) -> SASL_PLAINTEXT://127.0.0.1:<free port>; one combined broker+controller per cluster instead of the node pools`);
    const authz = k.authorization?.type;
    // One more listener per region that mirrors from this one, advertising the proxy of their link (kafka-tier/src/link.ts).
    const wan = [...r.linksOut.values()];
    if (wan.length) note('each source broker has one more listener (same SCRAM-SHA-512 authentication) per region that mirrors from it, WAN<n> on 127.0.0.1:<port>, advertising the link emulator\'s proxy of that pair; local clients use the ordinary listener');
    // The external listener as KafkaBrokerConfigurationBuilder.withListeners configures it (strimzi.ts), on its local port.
    const ext = r.external ? brokerListenerConfig(r.external.listener, r.ns, r.node) : undefined;
    const extAdvertised = r.external?.addresses.advertised.get(r.node.nodeId);
    if (ext) note(`external listener ${r.external!.listener.name}:${r.external!.listener.port} -> ${ext.name}://127.0.0.1:<external port> ${ext.protocol}, advertised <Strimzi's advertised host>:<external port>, its PEM keystore from the pod's Secret through the config provider strimzisecrets (DirectoryConfigProvider over <run>/<region>/secrets)`, 'external-listener');
    const props: Props = [
      ['process.roles', 'broker,controller'],
      ['node.id', '0'],
      ['controller.quorum.voters', `0@127.0.0.1:${r.controllerPort}`],
      ['listeners', [`SCRAM://127.0.0.1:${r.brokerPort}`, `CONTROLLER://127.0.0.1:${r.controllerPort}`, ...wan.map((l) => `${l.listener}://127.0.0.1:${l.upstreamPort}`), ...(ext ? [`${ext.name}://127.0.0.1:${r.externalPort}`] : [])].join(',')],
      ['advertised.listeners', [`SCRAM://127.0.0.1:${r.brokerPort}`, ...wan.map((l) => `${l.listener}://127.0.0.1:${l.proxyPort}`), ...(ext ? [`${ext.name}://${extAdvertised!.host}:${r.externalPort}`] : [])].join(',')],
      ['listener.security.protocol.map', ['CONTROLLER:PLAINTEXT', 'SCRAM:SASL_PLAINTEXT', ...wan.map((l) => `${l.listener}:SASL_PLAINTEXT`), ...(ext ? [`${ext.name}:${ext.protocol}`] : [])].join(',')],
      ['inter.broker.listener.name', 'SCRAM'],
      ['controller.listener.names', 'CONTROLLER'],
      ['sasl.enabled.mechanisms', 'SCRAM-SHA-512'],
      ['sasl.mechanism.inter.broker.protocol', 'SCRAM-SHA-512'],
      ['listener.name.scram.scram-sha-512.sasl.jaas.config', `org.apache.kafka.common.security.scram.ScramLoginModule required username="${ADMIN}" password="${r.adminPassword}";`],
      ...wan.map((l): [string, string] => [`listener.name.${l.listener.toLowerCase()}.scram-sha-512.sasl.jaas.config`, 'org.apache.kafka.common.security.scram.ScramLoginModule required;']),
      ['log.dirs', path.join(r.dir, 'data')],
      ['group.initial.rebalance.delay.ms', '0'],
      ...(ext ? [...ext.props, ...BROKER_COMMON_LISTENER_SETTINGS.filter(([k]) => k !== 'sasl.enabled.mechanisms'),
        ['config.providers', 'strimzisecrets'], ['config.providers.strimzisecrets.class', 'org.apache.kafka.common.config.provider.DirectoryConfigProvider']] as Props : []),
    ];
    if (authz === 'simple') {
      note(`authorization simple -> StandardAuthorizer; super users: User:${ADMIN} (the harness only) and User:ANONYMOUS (the loopback controller listener), plus spec superUsers`);
      const supers = [`User:${ADMIN}`, 'User:ANONYMOUS', ...((k.authorization.superUsers ?? []) as string[]).map((u) => `User:${u}`)];
      props.push(['authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'], ['super.users', supers.join(';')]);
    } else if (authz) {
      throw new Error(`${r.ns}: authorization type ${authz} is not supported by the tier`);
    }
    for (const [key, v] of localBrokerConfig(k.config, `${r.ns} Kafka ${r.cluster}`)) {
      if (!props.some(([x]) => x === key)) props.push([key, v]);
    }
    for (const key of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'transaction.state.log.min.isr', 'share.coordinator.state.topic.replication.factor', 'share.coordinator.state.topic.min.isr']) {
      if (!props.some(([x]) => x === key)) props.push([key, '1']);
    }
    return propertiesText(props, `Kafka ${r.ns}/${r.cluster} (kafka-tier, from the synthesized Kafka resource)`);
  }

  private async formatAndStartBroker(r: RegionRun): Promise<void> {
    const cfg = path.join(r.dir, 'config', 'server.properties');
    writeFile(cfg, this.brokerProperties(r));
    // AbstractConfig at INFO: the broker logs the configuration it runs with (read back by the tests).
    const log4j = log4jConfig(path.join(r.dir, 'config', 'broker-log4j2.properties'), { 'kafka.server.KafkaRaftServer': 'INFO', 'org.apache.kafka.common.config.AbstractConfig': 'INFO' });
    let id = '';
    do id = randomBytes(16).toString('base64url'); while (id.startsWith('-'));
    const fmt = new JavaProcess({
      name: `${r.ns}-format`, runDir: r.dir, mainClass: 'kafka.tools.StorageTool', log4j,
      args: ['format', '-t', id, '-c', cfg, '--add-scram', `SCRAM-SHA-512=[name=${ADMIN},password=${r.adminPassword}]`], cwd: this.brokerCwd(r),
    });
    fmt.start();
    const code = await fmt.exited;
    if (code !== 0) throw new Error(`${r.ns}: kafka-storage format failed:\n${fmt.tail()}`);
    await this.startBroker(r);
  }

  /** Starts (or restarts, on the same data directory and ports) the region's broker. */
  async startBroker(r: RegionRun): Promise<void> {
    const t0 = Date.now();
    r.broker = new JavaProcess({
      name: `${r.ns}-broker`, runDir: r.dir, mainClass: 'kafka.Kafka', args: [path.join(r.dir, 'config', 'server.properties')],
      log4j: path.join(r.dir, 'config', 'broker-log4j2.properties'), cwd: this.brokerCwd(r),
    });
    r.broker.start();
    await waitFor(`${r.ns} broker`, async () => {
      if (!r.broker!.running) throw new Fatal(`${r.ns}: broker exited:\n${r.broker!.tail()}`);
      return (await portOpen(r.brokerPort)) && (await this.agent.call('topics.list', { props: this.adminProps(r) }).then(() => true, () => false));
    }, 90_000, 300);
    log(`${r.ns}: broker up on 127.0.0.1:${r.brokerPort} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  /** The broker's working directory: the Secret files' root when its config reads Secrets (the external listener's keystore). */
  private brokerCwd(r: RegionRun): string | undefined {
    if (!r.external) return undefined;
    fs.mkdirSync(path.join(r.dir, 'secrets'), { recursive: true });
    return path.join(r.dir, 'secrets');
  }

  async killBroker(r: RegionRun): Promise<void> {
    await r.broker?.kill();
    log(`${r.ns}: broker killed (SIGKILL)`);
  }

  // ---------------------------------------------------------------- topics, users, ACLs

  clientProps(r: RegionRun, user: string, password = r.passwords[user]): Record<string, string> {
    if (password === undefined) throw new Error(`${r.ns}: no password for user ${user}`);
    return {
      'bootstrap.servers': r.bootstrap,
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`,
    };
  }

  adminProps(r: RegionRun): Record<string, string> { return this.clientProps(r, ADMIN, r.adminPassword); }

  /**
   * A client of the region's external listener, as another cluster's MirrorMaker 2 is one: SASL_SSL, SCRAM-SHA-512,
   * the region's cluster CA as truststore, hostname verification on (Kafka's default); `bootstrap` defaults to the
   * listener's status address as the tier runs it.
   */
  externalClientProps(r: RegionRun, user: string, o: { password?: string; bootstrap?: string; ca?: string } = {}): Record<string, string> {
    const password = o.password ?? r.passwords[user] ?? (user === ADMIN ? r.adminPassword : undefined);
    if (password === undefined) throw new Error(`${r.ns}: no password for user ${user}`);
    return {
      'bootstrap.servers': o.bootstrap ?? r.externalBootstrap,
      'security.protocol': 'SASL_SSL',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.certificates': o.ca ?? r.caCert,
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`,
    };
  }

  private async provision(r: RegionRun): Promise<void> {
    const admin = this.adminProps(r);
    await this.agent.call('topics.create', { props: admin, topics: r.topics });
    const users = r.model.users.filter((u) => {
      const t = u.spec?.authentication?.type;
      if (t === 'scram-sha-512') return true;
      note(`KafkaUser authentication ${t} is not run locally (only scram-sha-512), user ${u.metadata.name} skipped`);
      return false;
    });
    for (const u of users) r.passwords[u.metadata.name] = randomPassword();
    note('SCRAM-SHA-512 credentials of each KafkaUser are created by the harness with generated passwords (the user operator generates them in the cluster)');
    await this.agent.call('users.upsertScram', { props: admin, users: users.map((u) => ({ name: u.metadata.name, password: r.passwords[u.metadata.name] })) });
    const acls = users.flatMap((u) => userAcls(u));
    if (acls.length) await this.agent.call('acls.create', { props: admin, acls });
    log(`${r.ns}: ${r.topics.length} topics, ${users.length} users, ${acls.length} ACL bindings`);
  }

  // ---------------------------------------------------------------- MirrorMaker 2

  /** The value of `<namespace>/<secret>:<key>` as the pod would read it. */
  private secretValue(ns: string, secret: string, key: string, depth = 0): string {
    if (depth > 5) throw new Error(`secret reference loop at ${ns}/${secret}`);
    const r = this.regions.find((x) => x.ns === ns);
    const written = r?.model.secrets[secret]?.[key];
    if (written !== undefined) {
      if (typeof written === 'string') return written;
      const ref = written as SecretRef;
      return this.secretValue(ref.namespace, ref.name, ref.key, depth + 1);
    }
    // the cluster operator's CA certificate Secret of a Kafka
    const caOf = this.regions.find((x) => x.ns === ns && `${x.cluster}-cluster-ca-cert` === secret);
    if (caOf && key === 'ca.crt') {
      if (!caOf.caCert) throw new Error(`${ns}/${secret}: the tier made no cluster CA for ${caOf.cluster} (it has no external listener)`);
      return caOf.caCert;
    }
    // the cluster operator's trusted certificates Secret of a KafkaMirrorMaker2: per cluster alias, its trustedCertificates joined
    const mm2 = r?.model.mirrorMakers.find((m) => `${m.metadata.name}-connect-tls-trusted-certs` === secret);
    if (mm2 && key.endsWith('-ca.crt')) {
      const alias = key.slice(0, -'-ca.crt'.length);
      const cluster = [mm2.spec.target, ...(mm2.spec.mirrors ?? []).map((m: any) => m.source)].find((c: any) => c.alias === alias);
      const certs = cluster?.tls?.trustedCertificates ?? [];
      if (!certs.length) throw new Error(`${ns}/${secret}: no trusted certificates for cluster alias ${alias}`);
      return certs.map((c: any) => {
        if (!c.certificate) throw new Error(`${ns}/${mm2.metadata.name}: trustedCertificates by pattern are not modelled by the tier`);
        return this.secretValue(ns, c.secretName, c.certificate, depth + 1);
      }).join('\n');
    }
    // the user operator's secret of a KafkaUser: same name as the user
    if (r && r.passwords[secret] !== undefined) {
      if (key === 'password') return r.passwords[secret];
      if (key === 'sasl.jaas.config') return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${secret}" password="${r.passwords[secret]}";`;
    }
    throw new Error(`secret ${ns}/${secret} key ${key} is neither written by the stack nor a KafkaUser's secret`);
  }

  /** Writes <region dir>/secrets/<ns>/<secret>/<key> for every ${strimzisecrets:...} placeholder of the worker and connectors. */
  private writeSecrets(r: RegionRun, texts: string[]): string {
    const root = path.join(r.dir, 'secrets');
    for (const t of texts) {
      for (const m of t.matchAll(/\$\{strimzisecrets:([^/]+)\/([^:]+):([^}]+)\}/g)) {
        const [, ns, secret, key] = m;
        if (ns !== r.ns) throw new Error(`${r.ns}: MirrorMaker 2 reads secret ${ns}/${secret}, outside its namespace`);
        writeFile(path.join(root, ns, secret, key), this.secretValue(ns, secret, key));
      }
    }
    return root;
  }

  private async startConnect(r: RegionRun): Promise<void> {
    const t0 = Date.now();
    const mm2 = r.model.mirrorMakers[0];
    const props = localWorkerProperties(connectWorkerProperties(mm2), { addr: this.addr, namespace: r.ns, restPort: r.restPort, where: `${r.ns}/${mm2.metadata.name}`, dir: r.dir });
    for (const [k, v] of Object.entries(this.tuning.worker ?? {})) {
      const i = props.findIndex(([x]) => x === k);
      if (i >= 0) props[i] = [k, v];
      else props.push([k, v]);
    }
    const cfg = path.join(r.dir, 'config', 'connect-distributed.properties');
    writeFile(cfg, propertiesText(props, `Connect worker of KafkaMirrorMaker2 ${r.ns}/${mm2.metadata.name} (Strimzi 1.2.0 mapping + kafka-tier substitutions)`));
    const secrets = this.writeSecrets(r, [...props.map(([, v]) => v), ...r.connectors.flatMap((c) => Object.values(c.config))]);
    r.connect = new JavaProcess({
      name: `${r.ns}-connect`, runDir: r.dir, mainClass: 'org.apache.kafka.connect.cli.ConnectDistributed', args: [cfg],
      cwd: secrets, env: { ADVERTISED_HOSTNAME: '127.0.0.1' }, jvm: this.jvmOptions(),
      log4j: log4jConfig(path.join(r.dir, 'config', 'connect-log4j2.properties'), {
        'org.apache.kafka.connect.mirror': 'INFO', 'org.apache.kafka.connect.runtime.rest.RestServer': 'INFO', 'org.apache.kafka.connect.runtime.WorkerSourceTask': 'WARN',
        // every client's configuration as it is created (ConsumerConfig/ProducerConfig values: ...), read back by the tests
        'org.apache.kafka.common.config.AbstractConfig': 'INFO',
      }),
    });
    r.connect.start();
    await waitFor(`${r.ns} Connect REST`, async () => {
      if (!r.connect!.running) throw new Fatal(`${r.ns}: Connect exited:\n${r.connect!.tail()}`);
      const res = await this.rest(r, '/connectors').catch(() => undefined);
      return res?.ok;
    }, 120_000, 500);
    log(`${r.ns}: Connect worker (MirrorMaker 2 ${mm2.metadata.name}) up on 127.0.0.1:${r.restPort} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  /** Connect REST call (no keep-alive, so that nothing outlives the run). */
  private rest(r: RegionRun, p: string, init: { method?: string; body?: string } = {}): Promise<{ ok: boolean; status: number; text: () => Promise<string>; json: () => Promise<any> }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: r.restPort, path: p, method: init.method ?? 'GET', agent: false, timeout: 30_000,
        headers: { 'content-type': 'application/json', ...(init.body ? { 'content-length': Buffer.byteLength(init.body) } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300, status, text: async () => body, json: async () => JSON.parse(body) });
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      if (init.body) req.write(init.body);
      req.end();
    });
  }

  /** As the operator does: PUT /connectors/<name>/config for each generated connector, then wait until running. */
  private async createConnectors(r: RegionRun): Promise<void> {
    for (const c of r.connectors) {
      await waitFor(`PUT connector ${c.name}`, async () => {
        const res = await this.rest(r, `/connectors/${encodeURIComponent(c.name)}/config`, { method: 'PUT', body: JSON.stringify(c.config) });
        if (res.ok) return true;
        const body = await res.text();
        if (res.status >= 500 || res.status === 409) return false; // worker still joining its group / rebalancing
        throw new Error(`${res.status} ${body}`);
      }, 60_000, 1000);
    }
    await waitFor(`${r.ns} connectors running`, async () => {
      for (const c of r.connectors) {
        const st = await this.connectorStatus(r, c.name);
        if (!st || st.connector.state !== 'RUNNING' || !st.tasks.length || st.tasks.some((t: any) => t.state !== 'RUNNING')) return false;
      }
      return true;
    }, 120_000, 1000);
    log(`${r.ns}: connectors running: ${r.connectors.map((c) => c.name).join(', ')}`);
  }

  /**
   * Changes a connector's config as the operator does when the KafkaMirrorMaker2 changes (PUT /connectors/<name>/config;
   * Connect restarts the connector and its tasks with it), then waits until it and its tasks run again.
   */
  async updateConnector(r: RegionRun, name: string, config: Record<string, string>): Promise<void> {
    const c = r.connectors.find((x) => x.name === name);
    if (!c) throw new Error(`${r.ns}: no connector ${name}`);
    const res = await this.rest(r, `/connectors/${encodeURIComponent(name)}/config`, { method: 'PUT', body: JSON.stringify(config) });
    if (!res.ok) throw new Error(`${r.ns}: PUT ${name}: ${res.status} ${await res.text()}`);
    c.config = config;
    await sleep(2000);
    await waitFor(`${r.ns} ${name} running`, async () => {
      const st = await this.connectorStatus(r, name);
      return st && st.connector.state === 'RUNNING' && st.tasks.length > 0 && st.tasks.every((t: any) => t.state === 'RUNNING');
    }, 120_000, 1000);
  }

  /** Pauses or resumes a connector (PUT /connectors/<name>/pause|resume) and waits until its tasks are in that state. */
  async pauseConnector(r: RegionRun, name: string, pause: boolean, wait = true): Promise<void> {
    const res = await this.rest(r, `/connectors/${encodeURIComponent(name)}/${pause ? 'pause' : 'resume'}`, { method: 'PUT' });
    if (!res.ok) throw new Error(`${r.ns}: ${pause ? 'pause' : 'resume'} ${name}: ${res.status} ${await res.text()}`);
    if (!wait) return;
    const want = pause ? 'PAUSED' : 'RUNNING';
    await waitFor(`${r.ns} ${name} ${want}`, async () => {
      const st = await this.connectorStatus(r, name);
      return st && st.connector.state === want && st.tasks.length > 0 && st.tasks.every((t: any) => t.state === want);
    }, 60_000, 250);
  }

  async connectorStatus(r: RegionRun, name: string): Promise<any> {
    const res = await this.rest(r, `/connectors/${encodeURIComponent(name)}/status`).catch(() => undefined);
    return res?.ok ? res.json() : undefined;
  }

  /** The operator's periodic reconciliation, reduced to what matters here: restart FAILED connectors/tasks with autoRestart. */
  async reconcileAll(): Promise<void> {
    for (const r of this.regions) {
      if (!r.connect?.running) continue;
      for (const c of r.connectors) {
        const st = await this.connectorStatus(r, c.name).catch(() => undefined);
        if (!st) continue;
        const failed = st.connector.state === 'FAILED' || st.tasks.some((t: any) => t.state === 'FAILED');
        if (failed && c.spec.autoRestart?.enabled) {
          log(`${r.ns}: ${c.name} FAILED -> restart (autoRestart, as the operator does)`);
          await this.rest(r, `/connectors/${encodeURIComponent(c.name)}/restart?includeTasks=true&onlyFailed=true`, { method: 'POST' }).catch(() => undefined);
        }
      }
    }
  }

  /**
   * The configurations a process logged as it created them (Kafka's AbstractConfig: "<Class> values:" and one
   * "\tkey = value" line per setting), newest last: what the brokers and MirrorMaker 2's clients really run with.
   */
  loggedConfigs(logFile: string, kind: string): Record<string, string>[] {
    const text = fs.readFileSync(logFile, 'utf8');
    const out: Record<string, string>[] = [];
    for (const m of text.matchAll(new RegExp(`${kind} values: ?\\n((?:\\t[^\\n]*\\n)+)`, 'g'))) {
      const cfg: Record<string, string> = {};
      for (const line of m[1].split('\n')) {
        const i = line.indexOf(' = ');
        if (i > 0) cfg[line.slice(0, i).trim()] = line.slice(i + 3).trim();
      }
      out.push(cfg);
    }
    return out;
  }

  // ---------------------------------------------------------------- shape

  async listTopics(r: RegionRun): Promise<string[]> {
    return (await this.agent.call('topics.list', { props: this.adminProps(r) })).topics;
  }

  async describeTopics(r: RegionRun, names: string[]): Promise<Record<string, { partitions: number; replicas: number; config: Record<string, string> }>> {
    return (await this.agent.call('topics.describe', { props: this.adminProps(r), topics: names })).topics;
  }

  /** Topics a region must hold: canonical, one copy per other region and canonical topic, MM2 internal topics. */
  expectedTopics(r: RegionRun): { canonical: string[]; copies: string[]; internal: string[] } {
    const mm2 = r.model.mirrorMakers[0];
    const sources = r.connectors.filter((c) => c.config['connector.class'].endsWith('MirrorSourceConnector'));
    const copies = sources.flatMap((c) => {
      const src = this.regions.find((x) => x.alias === c.sourceAlias)!;
      const re = new RegExp(`^(?:${c.config.topics.split(',').map((s) => s.trim()).join('|')})$`);
      return src.topics.map((t) => t.name).filter((t) => re.test(t)).map((t) => `${c.sourceAlias}.${t}`);
    });
    const internal = [mm2.spec.target.configStorageTopic, mm2.spec.target.offsetStorageTopic, mm2.spec.target.statusStorageTopic,
      ...sources.map((c) => `mm2-offset-syncs.${c.sourceAlias}.internal`)];
    return { canonical: r.topics.map((t) => t.name), copies, internal };
  }

  async waitForCopies(timeoutMs: number): Promise<void> {
    await Promise.all(this.regions.map((r) => waitFor(`${r.ns} copies`, async () => {
      const have = new Set(await this.listTopics(r));
      const e = this.expectedTopics(r);
      return [...e.copies, ...e.internal].every((t) => have.has(t));
    }, timeoutMs, 1000)));
    log('every region holds its copies and MirrorMaker 2 internal topics');
  }

  // ---------------------------------------------------------------- apps

  /** Starts the consumer app of each region (its user, group and include regex) and waits until it has every matching partition. */
  async startConsumers(regions = this.regions, suffix = '', o: { summary?: boolean } = {}): Promise<void> {
    for (const r of regions) {
      const app = r.consumer;
      const name = `${r.ns}/consumer${suffix}`;
      const props: Record<string, string> = {};
      for (const [k, v] of Object.entries(app.clientProps)) if (!/^(bootstrap\.servers|security\.protocol|sasl\.|ssl\.)/.test(k)) props[k] = v;
      Object.assign(props, this.clientProps(r, app.user));
      if (app.group) props['group.id'] = app.group;
      props['auto.offset.reset'] = app.fromBeginning ? 'earliest' : props['auto.offset.reset'] ?? 'latest';
      note(`app consumers: metadata.max.age.ms -> ${INTERVAL_SECONDS * 1000} (KAFKA_TIER_INTERVAL_SECONDS) so that a regex subscription sees new copies quickly`);
      props['metadata.max.age.ms'] = String(INTERVAL_SECONDS * 1000);
      if (!app.include) throw new Error(`${r.ns}: consumer has no --include regex`);
      this.tallies.set(name, new Tally());
      await this.agent.call('consumer.start', { name, regex: app.include, props, summary: !!o.summary });
      this.consumersStarted.add(name);
    }
    await Promise.all(regions.map(async (r) => {
      const name = `${r.ns}/consumer${suffix}`;
      const re = new RegExp(`^(?:${r.consumer.include})$`);
      const topics = (await this.listTopics(r)).filter((t) => re.test(t));
      const desc = await this.describeTopics(r, topics);
      const want = topics.flatMap((t) => Array.from({ length: desc[t].partitions }, (_, i) => `${t}/${i}`));
      await waitFor(`${name} assignment`, () => want.every((p) => this.tallies.get(name)!.assignment.includes(p)), 60_000, 300);
      log(`${name}: subscribed with ${JSON.stringify(r.consumer.include)} as ${r.consumer.user}, group ${r.consumer.group}: ${topics.join(', ')}`);
    }));
  }

  /** What a consumer started with `summary` has received per topic (counts, receipt window, latency percentiles). */
  async consumerSummary(name: string, reset = false): Promise<Record<string, TopicSummary>> {
    return (await this.agent.call('consumer.summary', { name, reset })).topics;
  }

  async stopConsumer(name: string): Promise<void> {
    await this.agent.call('consumer.stop', { name });
    this.consumersStarted.delete(name);
  }

  producerProps(r: RegionRun, extra: Record<string, string> = {}): Record<string, string> {
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.producer.clientProps)) if (!/^(bootstrap\.servers|security\.protocol|sasl\.|ssl\.)/.test(k)) props[k] = v;
    return { ...props, ...extra, ...this.clientProps(r, r.producer.user) };
  }

  /** Starts an event producer `<ns>/<tag>` with the region's producer app settings (topic, user, client properties). */
  async startProducer(r: RegionRun, tag: string, o: { rate: number; count?: number; size?: number; payload?: 'pad' | 'orders'; records?: string[]; extra?: Record<string, string> }): Promise<void> {
    if (!r.producer.topic) throw new Error(`${r.ns}: producer has no --topic`);
    await this.agent.call('producer.start', {
      name: `${r.ns}/${tag}`, region: r.ns, topic: r.producer.topic, rate: o.rate, count: o.count, size: o.size ?? 0, payload: o.payload ?? 'pad',
      ...(o.records ? { records: o.records } : {}), props: this.producerProps(r, o.extra),
    });
  }

  producerStats(r: RegionRun, tag: string): Promise<{ sent: number; acked: number; failed: number; lastError?: string }> {
    return this.agent.call('producer.stats', { name: `${r.ns}/${tag}` });
  }

  async stopProducer(r: RegionRun, tag: string): Promise<Produced> {
    const name = `${r.ns}/${tag}`;
    const res = await this.agent.call('producer.stop', { name, flush: true });
    return { region: r.ns, name, ids: (res.ackedSeqs as number[]).map((s) => `${r.ns}:${name}:${s}`), sent: res.sent, acked: res.acked, failed: res.failed, firstError: res.firstError, lastError: res.lastError };
  }

  /** Produces `count` events per region at `rate`/s with each region's producer app settings; returns the acked ids. */
  async produceEverywhere(count: number, rate: number, tag: string, regions = this.regions, o: { size?: number; payload?: 'pad' | 'orders' } = {}): Promise<Produced[]> {
    await Promise.all(regions.map((r) => this.startProducer(r, tag, { rate, count, ...o })));
    // Every send ends, acked or failed, within the client's own bounds: max.block.ms to get metadata, then
    // delivery.timeout.ms to be acked. A send stuck behind a restarted broker may take all of that (seen after the
    // outage test's restart): wait that long, so that a slow send counts as failed instead of failing the wait.
    const bound = (key: string, fallback: number) => Math.max(...regions.map((r) => Number(this.producerProps(r)[key] ?? fallback)));
    const timeoutMs = bound('max.block.ms', 60_000) + bound('delivery.timeout.ms', 120_000) + (count / rate) * 1000 + 15_000;
    await waitFor(`producers ${tag}`, async () => {
      const st = await Promise.all(regions.map((r) => this.producerStats(r, tag)));
      if (st.every((s) => s.acked + s.failed >= count)) return true;
      // the reason a wait times out: which producer is behind, and what its client last said
      throw new Error(regions.map((r, i) => `${r.ns}/${tag} sent=${st[i].sent} acked=${st[i].acked} failed=${st[i].failed}${st[i].lastError ? ` last error: ${st[i].lastError}` : ''}`).join('; '));
    }, timeoutMs, { everyMs: 300, reportEveryMs: 30_000, log });
    return Promise.all(regions.map((r) => this.stopProducer(r, tag)));
  }

  /** Waits until every consumer has received every id at least once; returns missing and duplicate counts per consumer. */
  async waitDelivered(ids: string[], timeoutMs: number, consumers = [...this.consumersStarted]): Promise<{ consumer: string; missing: number; duplicates: number }[]> {
    const check = () => consumers.map((c) => {
      const t = this.tallies.get(c)!;
      let missing = 0;
      let duplicates = 0;
      for (const id of ids) {
        const n = t.counts.get(id) ?? 0;
        if (n === 0) missing++;
        else duplicates += n - 1;
      }
      return { consumer: c, missing, duplicates };
    });
    try {
      await waitFor('delivery to every consumer', () => check().every((c) => c.missing === 0), timeoutMs, 500);
    } catch { /* reported below */ }
    await sleep(1000); // late duplicates
    return check();
  }

  /**
   * Reads topics of a region from the beginning to their current end (admin, assigned partitions, no group) and
   * counts records and distinct event ids per topic: duplicates in the topics themselves (MirrorMaker 2's), as opposed
   * to re-deliveries to a consumer group.
   */
  async audit(r: RegionRun, topics: string[]): Promise<Record<string, { records: number; distinct: number }>> {
    return (await this.agent.call('audit.count', { props: this.adminProps(r), topics })).topics;
  }

  /** Tries something a user's ACLs do not allow; returns the broker's refusal (or undefined if it was allowed). */
  async refusal(fn: () => Promise<unknown>): Promise<string | undefined> {
    try {
      await fn();
      return undefined;
    } catch (e) {
      if (e instanceof AgentError) return e.message;
      throw e;
    }
  }
}

