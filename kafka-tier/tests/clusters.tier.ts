/**
 * Regions on separate Kubernetes clusters (issue #10), on real Kafka 4.3.1 brokers and real MirrorMaker 2: the
 * synthesized mesh of four regions on three clusters (north-america and south-america share cluster-a, europe is on
 * cluster-b, asia-pacific on cluster-c), synthesized with a generated kubeconfig of four contexts. Every Kafka runs its
 * external listener as the synthesized resource describes it (TLS with Strimzi's certificate SANs, SCRAM-SHA-512);
 * mirrors across clusters reach it there, mirrors within cluster-a use the internal listener.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import { externalListenerOf, MeshRun, RegionRun } from '../src/mesh';
import { loadMesh, meshInput, STATUS_MARK } from '../src/synth';
import { log, TIER_CACHE, writeFile } from '../src/util';

const DIR = path.join(TIER_CACHE, 'clusters');

/** Contexts -> API servers. cluster-a-admin is a second context of cluster-a's server: the same cluster. Synth only reads them. */
const CONTEXTS: Record<string, string> = {
  'cluster-a': 'https://cluster-a.invalid:6443',
  'cluster-a-admin': 'https://cluster-a.invalid:6443',
  'cluster-b': 'https://cluster-b.invalid:6443',
  'cluster-c': 'https://cluster-c.invalid:6443',
};

/** Which cluster (API server) each region is on, as the mesh file below places them. */
const CLUSTER_OF: Record<string, string> = { 'north-america': 'a', 'south-america': 'a', europe: 'b', 'asia-pacific': 'c' };

function writeKubeconfig(file: string): void {
  const servers = [...new Set(Object.values(CONTEXTS))];
  const clusterName = (server: string) => `cluster-${servers.indexOf(server)}`;
  writeFile(file, [
    'apiVersion: v1',
    'kind: Config',
    'current-context: cluster-a',
    'clusters:',
    ...servers.flatMap((s) => [`  - name: ${clusterName(s)}`, '    cluster:', `      server: ${s}`]),
    'users:',
    ...Object.keys(CONTEXTS).flatMap((c) => [`  - name: ${c}-user`, '    user:', `      token: not-a-real-token-${c}`]),
    'contexts:',
    ...Object.entries(CONTEXTS).flatMap(([c, s]) => [`  - name: ${c}`, '    context:', `      cluster: ${clusterName(s)}`, `      user: ${c}-user`]),
    '',
  ].join('\n'));
}

/**
 * north-america: the current context, a load balancer (default; others read its address from its status);
 * south-america: same cluster through another context, a load balancer whose address the user knows (bootstrapServers);
 * europe: node ports with host names; asia-pacific: an ingress (others read its address from its status).
 */
const MESH = `# written by kafka-tier/tests/clusters.tier.ts
name: kafka-tier-clusters
regions:
  - name: north-america
    alias: northamerica
  - name: south-america
    alias: southamerica
    context: cluster-a-admin
    external:
      type: loadbalancer
      bootstrapServers: kafka.south-america.example:9094
  - name: europe
    context: cluster-b
    external:
      type: nodeport
      bootstrapHost: kafka.europe.example
      brokerHostTemplate: broker-{nodeId}.kafka.europe.example
      bootstrapNodePort: 31094
  - name: asia-pacific
    alias: apac
    context: cluster-c
    external:
      type: ingress
      class: nginx
      bootstrapHost: kafka.apac.example
      brokerHostTemplate: broker-{nodeId}.kafka.apac.example
topics:
  - name: LH.ORDERS
    partitions: 3
    replicas: 1
kafka:
  brokers: 1
`;

/** The synth input: `cdktf synth` with MESH_CONFIG and KUBECONFIG, or KAFKA_TIER_CLUSTERS_SYNTH_DIR (an existing synth output of this mesh). */
function clustersInput(): { files: string[]; source: string } {
  const kubeconfig = path.join(DIR, 'kubeconfig');
  const meshConfig = path.join(DIR, 'three-clusters.yaml');
  writeKubeconfig(kubeconfig);
  writeFile(meshConfig, MESH);
  if (process.env.KAFKA_TIER_CLUSTERS_SYNTH_DIR) {
    const dir = path.resolve(process.env.KAFKA_TIER_CLUSTERS_SYNTH_DIR, 'stacks');
    return { files: fs.readdirSync(dir).map((s) => path.join(dir, s, 'cdk.tf.json')).filter((f) => fs.existsSync(f)), source: `synth output ${process.env.KAFKA_TIER_CLUSTERS_SYNTH_DIR}` };
  }
  return meshInput({ meshConfig, env: { KUBECONFIG: kubeconfig } });
}

/** Established TCP connections of a process: the remote ports it is connected to on 127.0.0.1 (from /proc: its socket fds and the TCP tables). */
function remotePorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st ... inode (10th field); st 01 = ESTABLISHED
      if (f.length < 10 || f[3] !== '01' || !inodes.has(f[9])) continue;
      const [ip, port] = f[2].split(':');
      if (ip === '0100007F' || ip === '0000000000000000FFFF00000100007F') ports.push(parseInt(port, 16));
    }
  }
  return ports;
}

/**
 * A Kafka ApiVersions request (v0) sent in plaintext, and the first bytes of the answer: a plaintext listener answers
 * with a response (size, then correlation id 7); a TLS listener with a TLS alert record (content type 0x15), or nothing.
 * (A Kafka client in plaintext against a TLS port reads the alert as a response size and runs out of memory, so this
 * probe is done from here.)
 */
function plaintextAnswer(port: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const client = Buffer.from('kafka-tier-probe');
    const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length);
    body.writeInt16BE(18, 0); // ApiVersions
    body.writeInt16BE(0, 2);
    body.writeInt32BE(7, 4); // correlation id
    body.writeInt16BE(client.length, 8);
    client.copy(body, 10);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    const chunks: Buffer[] = [];
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write(Buffer.concat([size, body])));
    const done = () => { clearTimeout(timer); sock.destroy(); resolve(Buffer.concat(chunks)); };
    const timer = setTimeout(done, 5000);
    sock.on('data', (d) => { chunks.push(d); if (Buffer.concat(chunks).length >= 8) done(); });
    sock.on('close', done);
    sock.on('error', done);
  });
}

/** The certificate a TLS listener presents to a client that asks for `name` (SNI) and trusts `ca`, verified as Node verifies it. */
function presentedCertificate(port: number, name: string, ca: string): Promise<{ verified: boolean; error?: string; sans: string }> {
  return new Promise((resolve) => {
    const sock = tls.connect({ host: '127.0.0.1', port, ca, ...(net.isIP(name) ? {} : { servername: name }), checkServerIdentity: (_h, cert) => tls.checkServerIdentity(name, cert) }, () => {
      const sans = sock.getPeerCertificate().subjectaltname ?? '';
      sock.destroy();
      resolve({ verified: true, sans });
    });
    sock.on('error', (e) => { sock.destroy(); resolve({ verified: false, error: e.message, sans: '' }); });
  });
}

describe('four regions on three Kubernetes clusters: external listeners with TLS and SCRAM on real Kafka and MirrorMaker 2', () => {
  let run: MeshRun;
  const sameCluster = (a: RegionRun, b: RegionRun) => CLUSTER_OF[a.ns] === CLUSTER_OF[b.ns];
  const mirrorsOf = (r: RegionRun) => r.model.mirrorMakers[0].spec.mirrors as { source: { alias: string; bootstrapServers: string } }[];
  const sourceOf = (alias: string) => run.regions.find((x) => x.alias === alias)!;
  /** the synthesized MM2 source addresses, before the run filled in the status reads */
  let synthesized: Record<string, Record<string, string>>;

  beforeAll(async () => {
    const input = clustersInput();
    const mesh = loadMesh(input.files, input.source);
    synthesized = Object.fromEntries(mesh.regions.map((r) => [r.namespace,
      Object.fromEntries((r.mirrorMakers[0].spec.mirrors as any[]).map((m) => [m.source.alias, m.source.bootstrapServers]))]));
    run = new MeshRun(mesh, 'clusters');
    await run.start();
    await run.startConsumers();
  }, 600_000);

  afterAll(async () => {
    await run?.stop();
  }, 180_000);

  test('the synthesized mesh: an external listener per Kafka as the mesh file chose; same-cluster mirrors use the internal listener, the others the external one', () => {
    const types: Record<string, string> = { 'north-america': 'loadbalancer', 'south-america': 'loadbalancer', europe: 'nodeport', 'asia-pacific': 'ingress' };
    for (const r of run.regions) {
      const l = externalListenerOf(r.model.kafka);
      expect({ region: r.ns, listener: l && { name: l.name, port: l.port, type: l.type, tls: l.tls, authentication: l.authentication } })
        .toEqual({ region: r.ns, listener: { name: 'external', port: 9094, type: types[r.ns], tls: true, authentication: { type: 'scram-sha-512' } } });
      // the internal listener stays
      expect(r.model.kafka.spec.kafka.listeners.find((x: any) => x.name === 'tls')).toMatchObject({ port: 9093, type: 'internal', tls: true });
    }
    const rows: string[] = [];
    for (const r of run.regions) {
      for (const m of mirrorsOf(r)) {
        const src = sourceOf(m.source.alias);
        const synth = synthesized[r.ns][m.source.alias];
        const expected = sameCluster(r, src) ? `${src.cluster}-kafka-bootstrap.${src.ns}.svc:9093`
          : src.ns === 'south-america' ? 'kafka.south-america.example:9094' // the mesh file's bootstrapServers
            : src.ns === 'europe' ? 'kafka.europe.example:31094' // node port: <bootstrapHost>:<bootstrapNodePort>
              : `${STATUS_MARK}${src.ns}/${src.cluster}:external`; // read from the source Kafka's status at apply
        expect({ mirror: `${src.ns} -> ${r.ns}`, bootstrapServers: synth }).toEqual({ mirror: `${src.ns} -> ${r.ns}`, bootstrapServers: expected });
        expect({ mirror: `${src.ns} -> ${r.ns}`, external: run.viaExternal(m.source.bootstrapServers, r.ns) }).toEqual({ mirror: `${src.ns} -> ${r.ns}`, external: !sameCluster(r, src) });
        rows.push(`${src.ns} -> ${r.ns}: ${synth.replace(STATUS_MARK, 'status of ')} -> ${run.address(m.source.bootstrapServers, r.ns)}`);
      }
    }
    log(`mirror sources (synthesized -> run at):\n  ${rows.join('\n  ')}`);
  });

  test('delivery: every event produced in any region reaches every region\'s consumer exactly once, across clusters', async () => {
    const count = 100;
    const produced = await run.produceEverywhere(count, 100, 'clusters');
    for (const p of produced) expect({ producer: p.name, acked: p.acked, failed: p.failed }).toEqual({ producer: p.name, acked: count, failed: 0 });
    const res = await run.waitDelivered(produced.flatMap((p) => p.ids), 120_000);
    log(`delivery across clusters: ${res.map((r) => `${r.consumer} missing=${r.missing} duplicates=${r.duplicates}`).join('; ')}`);
    for (const r of res) expect(r).toEqual({ consumer: r.consumer, missing: 0, duplicates: 0 });
  });

  test('cross-cluster mirrors connect to the source\'s external listener only, with SASL_SSL, SCRAM-SHA-512 and hostname verification', () => {
    const rows: string[] = [];
    for (const r of run.regions) {
      const ports = new Set(remotePorts(r.connect!.pid!));
      const consumers = run.loggedConfigs(r.connect!.logFile, 'ConsumerConfig');
      for (const m of mirrorsOf(r)) {
        const src = sourceOf(m.source.alias);
        const pair = `${src.ns} -> ${r.ns}`;
        const external = !sameCluster(r, src);
        // what the MirrorMaker 2 of r has open towards the source's broker: the external port only, or never it
        expect({ pair, toExternal: ports.has(src.externalPort), toInternal: ports.has(src.brokerPort) }).toEqual({ pair, toExternal: external, toInternal: false });
        const replication = consumers.filter((c) => (c['client.id'] ?? '').startsWith(`${src.alias}->${r.alias}|`) && c['client.id'].endsWith('|replication-consumer'));
        expect({ pair, replicationConsumers: replication.length > 0 }).toEqual({ pair, replicationConsumers: true });
        for (const c of replication) {
          const seen = { pair, protocol: c['security.protocol'], mechanism: c['sasl.mechanism'], verification: c['ssl.endpoint.identification.algorithm'], port: Number(/:(\d+)\]?$/.exec(c['bootstrap.servers'])?.[1]) };
          if (external) expect(seen).toEqual({ pair, protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512', verification: 'https', port: src.externalPort });
          else expect(seen).toMatchObject({ pair, protocol: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-512' });
          rows.push(`${pair}: ${c['bootstrap.servers']} ${c['security.protocol']} ${c['sasl.mechanism']} verification=${c['ssl.endpoint.identification.algorithm'] || 'off'}`);
        }
      }
    }
    log(`replication consumers of MirrorMaker 2:\n  ${[...new Set(rows)].join('\n  ')}`);
  });

  test('the external listeners refuse a wrong password, clients without SCRAM or without TLS, names off the certificate and another cluster\'s CA; the certificate holds the names clients use', async () => {
    const topic = run.regions[0].producer.topic!;
    const results = await Promise.all(run.regions.map(async (r) => {
      const ok = run.externalClientProps(r, 'mirror-source');
      const quick = { 'max.block.ms': '8000', 'request.timeout.ms': '4000', 'reconnect.backoff.max.ms': '500' };
      const other = run.regions.find((x) => x !== r)!;
      const probe = (props: Record<string, string>) => run.refusal(() => run.agent.call('probe.produce', { props: { ...props, ...quick }, topic }));
      const attempts: Record<string, Promise<string | undefined>> = {
        'wrong password': probe(run.externalClientProps(r, 'mirror-source', { password: 'wrong-password' })),
        'TLS without SASL (no SCRAM)': probe({ 'bootstrap.servers': ok['bootstrap.servers'], 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': r.caCert }),
        'a name not on the certificate (localhost)': probe(run.externalClientProps(r, 'mirror-source', { bootstrap: `localhost:${r.externalPort}` })),
        [`${other.ns}'s CA as truststore`]: probe(run.externalClientProps(r, 'mirror-source', { ca: other.caCert })),
        // authenticated, but the source role may not write: the ACLs hold on this listener too
        'mirror-source writes (right password)': probe(ok),
      };
      const refused: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(attempts)) refused[k] = await v;
      // the right credentials are served: the source role reads the canonical topic from the beginning
      const read = await run.agent.call('audit.count', { props: ok, topics: [topic] });
      // without TLS: a plaintext request gets no Kafka answer there (the internal listener, plaintext here, as the control)
      const [plainExternal, plainInternal] = [await plaintextAnswer(r.externalPort), await plaintextAnswer(r.brokerPort)];
      // the certificate is valid for every name clients use (status, advertised, and the names the user gave), and not for localhost
      const names = [...new Set([...r.external!.addresses.status.addresses.map((a) => a.host), ...[...r.external!.addresses.advertised.values()].map((a) => a.host),
        ...r.external!.listener.configuration?.bootstrap?.alternativeNames ?? []])];
      const certs = Object.fromEntries(await Promise.all([...names, 'localhost'].map(async (n) => [n, await presentedCertificate(r.externalPort, n, r.caCert)] as const)));
      return { r, refused, read: read.topics[topic] as { records: number }, plainExternal, plainInternal, certs };
    }));
    for (const { r, refused, read, plainExternal, plainInternal, certs } of results) {
      log(`external listener ${r.ns}: a plaintext ApiVersions request is answered with ${plainExternal.subarray(0, 8).toString('hex') || 'nothing'} (internal listener: ${plainInternal.subarray(0, 8).toString('hex')})`);
      const kafkaAnswer = (b: Buffer) => b.length >= 8 && b.readInt32BE(4) === 7;
      expect({ region: r.ns, internal: kafkaAnswer(plainInternal), external: kafkaAnswer(plainExternal) }).toEqual({ region: r.ns, internal: true, external: false });
      // (the SANs logged without the in-cluster Service and pod names, which every broker certificate has)
      const outside = (sans: string) => sans.split(', ').filter((n) => !n.includes(`${r.cluster}-kafka-b`) && !n.includes(`${r.cluster}-kafka-brokers`)).join(', ');
      for (const [name, c] of Object.entries(certs)) log(`external listener ${r.ns}: certificate for ${name}: ${c.verified ? `verified (SANs beyond the in-cluster names: ${outside(c.sans)})` : `refused (${(c.error ?? "").replace(/ is not in the cert's altnames.*/, '')})`}`);
      expect(Object.fromEntries(Object.entries(certs).map(([n, c]) => [n, c.verified]))).toEqual(Object.fromEntries(Object.keys(certs).map((n) => [n, n !== 'localhost'])));
      for (const [what, err] of Object.entries(refused)) log(`external listener ${r.ns} (${r.external!.listener.type}, ${r.externalBootstrap}): ${what}: ${err ?? 'ALLOWED'}`);
      log(`external listener ${r.ns}: mirror-source with its password reads ${topic}: ${read.records} events`);
      for (const [what, err] of Object.entries(refused)) expect({ region: r.ns, what, refused: !!err }).toEqual({ region: r.ns, what, refused: true });
      expect(refused['wrong password']).toMatch(/SaslAuthenticationException/);
      expect(refused['a name not on the certificate (localhost)']).toMatch(/SSLHandshakeException|SslAuthenticationException/);
      expect(refused[Object.keys(refused).find((k) => k.endsWith('CA as truststore'))!]).toMatch(/SSLHandshakeException|SslAuthenticationException/);
      expect(refused['mirror-source writes (right password)']).toMatch(/AuthorizationException/);
      expect(read.records).toBeGreaterThan(0);
    }
  });
});
