/**
 * Regions on separate Kubernetes clusters: contexts are resolved through the kubeconfig to clusters at synth, each
 * cluster gets one operator and its own providers, every Kafka that regions on other clusters read gets an external
 * listener (TLS + SCRAM-SHA-512), and every mirror reads its source at the address that fits: the internal listener on
 * the same cluster, the external one (as the source reports it, or as the mesh file gives it) across clusters.
 */
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp } from '../main';
import { normalizeServer, Topology } from '../mesh/clusters';
import { EXTERNAL_LISTENER, Mesh } from '../mesh/model';
import { bootstrapAddress, clusterCaSecretName, MIRROR_SOURCE_USER } from '../mesh/names';
import { MeshConfigError, resolveMesh } from '../mesh/validate';
import { Kubeconfig } from '../ops/kubeconfig';
import { demoMesh, FIXTURES, fixtureMesh, kubeconfigEnv, manifestOf, manifests, readyWaitOf, synthMesh, TerraformJson } from './support/synth';
import { named } from './support/mesh-problems';

const KUBECONFIG = join(FIXTURES, 'kubeconfigs', 'three-clusters.yaml');
const ENV = kubeconfigEnv('three-clusters.yaml');
const kubeconfig = () => Kubeconfig.read({ paths: [KUBECONFIG], from: 'KUBECONFIG' });
/** Snapshots hold no machine path: the fixture kubeconfig's path is written as <kubeconfig>. */
const portable = (json: TerraformJson) => JSON.parse(JSON.stringify(json).split(KUBECONFIG).join('<kubeconfig>'));

const STATUS_ADDRESS = /^\$\{one\(\[for listener in try\(data\.kubernetes_resource\.([^.]+)\.object\.status\.listeners, \[\]\) : listener\.bootstrapServers if listener\.name == "external" && try\(listener\.bootstrapServers, ""\) != ""\]\)\}$/;

/** Each mirror of a region's MirrorMaker 2: source alias -> bootstrapServers. */
function mirrorAddresses(stack: TerraformJson, namespace: string): Record<string, string> {
  const mm2 = manifestOf(stack, 'KafkaMirrorMaker2', namespace, 'mirrormaker2').object;
  return Object.fromEntries(mm2.spec.mirrors.map((m: any) => [m.source.alias, m.source.bootstrapServers]));
}

/** The external listener of a region's Kafka, or undefined. */
const externalListener = (stack: TerraformJson, namespace: string, name: string) =>
  manifestOf(stack, 'Kafka', namespace, name).object.spec.kafka.listeners.find((l: any) => l.name === EXTERNAL_LISTENER.name);

describe('contexts are resolved to clusters at synth', () => {
  const withContexts = (contexts: (string | undefined)[], extra: Record<string, unknown>[] = []) =>
    resolveMesh({
      name: 'test',
      regions: contexts.map((context, i) => ({ name: `region-${i}`, ...(context ? { context } : {}), ...(extra[i] ?? {}) })),
      topics: [{ name: 'T' }],
    });

  test('a mesh without contexts is one cluster, and the kubeconfig is not read', () => {
    const topology = Topology.resolve(demoMesh(), () => {
      throw new Error('read');
    });
    expect(topology.clusters).toHaveLength(1);
    expect(topology.multiCluster).toBe(false);
  });

  test('a context written out is used as written, even the current one: the cluster stays bound to it when another context becomes current', () => {
    const topology = Topology.resolve(withContexts([undefined, 'americas']), kubeconfig);
    expect(topology.clusters.map((c) => c.context)).toEqual(['americas']);
    expect(Topology.resolve(withContexts([undefined, undefined]), kubeconfig).clusters.map((c) => c.context)).toEqual([undefined]);
  });

  test('two context names that reach the same API server are one cluster (host case, default port, trailing slash)', () => {
    const topology = Topology.resolve(withContexts(['europe', 'europe-admin', 'south']), kubeconfig);
    expect(topology.clusters.map((c) => [c.context, c.server, c.regions.map((r) => r.name)])).toEqual([
      ['europe', 'https://k8s.europe.example.com:443', ['region-0', 'region-1']],
      ['south', 'https://k8s.south.example.com:443', ['region-2']],
    ]);
    expect(normalizeServer('https://K8S.europe.example.com:443/')).toBe(normalizeServer('https://k8s.europe.example.com'));
  });

  test('a cluster uses the first context a region on it writes, whichever region comes first', () => {
    expect(Topology.resolve(withContexts(['americas', undefined]), kubeconfig).clusters.map((c) => c.context)).toEqual(['americas']);
    expect(Topology.resolve(withContexts([undefined, 'americas']), kubeconfig).clusters.map((c) => c.context)).toEqual(['americas']);
  });

  test('the external listener defaults to a load balancer, and only in a mesh on more than one cluster', () => {
    const one = Topology.resolve(withContexts([undefined, 'americas']), kubeconfig);
    expect(one.externalListener(one.clusters[0].regions[0])).toBeUndefined();
    const two = Topology.resolve(withContexts([undefined, 'europe']), kubeconfig);
    expect(two.clusters[0].regions.concat(two.clusters[1].regions).map((r) => two.externalListener(r))).toEqual([{ type: 'loadbalancer' }, { type: 'loadbalancer' }]);
  });
});

describe('three regions on three clusters', () => {
  const mesh = fixtureMesh('three-clusters.yaml');
  const { operator, mesh: stack } = synthMesh(mesh, ENV);
  const op = operator.json;
  const m = stack.json;

  test('snapshot: operator stack', () => expect(portable(op)).toMatchSnapshot());
  test('snapshot: mesh stack', () => expect(portable(m)).toMatchSnapshot());

  test('one operator per cluster, each watching exactly its region, through that cluster\'s providers', () => {
    expect(op.provider.kubernetes.map((p: any) => [p.alias ?? '(default)', p.config_context ?? '(current)', p.config_paths])).toEqual([
      ['ctx_americas', 'americas', [KUBECONFIG]],
      ['ctx_south', 'south', [KUBECONFIG]],
      ['ctx_europe', 'europe', [KUBECONFIG]],
    ]);
    const releases = Object.values(op.resource.helm_release) as any[];
    expect(releases.map((r) => [r.provider ?? 'helm', JSON.parse(r.values[0]).watchNamespaces]).sort()).toEqual([
      ['helm.ctx_americas', ['north-america']],
      ['helm.ctx_europe', ['europe']],
      ['helm.ctx_south', ['south-america']],
    ]);
  });

  test('every region\'s resources go to its own cluster', () => {
    const expected: Record<string, string> = { 'north-america': 'kubernetes.ctx_americas', 'south-america': 'kubernetes.ctx_south', europe: 'kubernetes.ctx_europe' };
    for (const entry of manifests(m)) expect([entry.object.metadata.namespace, entry.resource.provider]).toEqual([entry.object.metadata.namespace, expected[entry.object.metadata.namespace!]]);
    for (const secret of Object.values(m.resource.kubernetes_secret_v1) as any[]) expect(secret.provider).toBe(expected[secret.metadata.namespace]);
  });

  test('every Kafka keeps its internal listener and gets an external one of its type, with TLS and SCRAM-SHA-512', () => {
    for (const region of mesh.regions) {
      const listeners = manifestOf(m, 'Kafka', region.namespace, region.name).object.spec.kafka.listeners;
      expect(listeners.map((l: any) => [l.name, l.port, l.tls, l.authentication])).toEqual([
        ['tls', 9093, true, { type: 'scram-sha-512' }],
        ['external', 9094, true, { type: 'scram-sha-512' }],
      ]);
    }
    expect(externalListener(m, 'north-america', 'north-america')).toEqual({ name: 'external', port: 9094, type: 'loadbalancer', tls: true, authentication: { type: 'scram-sha-512' } });
    // Node ports: the bootstrap's DNS name in every certificate, each broker advertised (and certified) by its DNS name.
    expect(externalListener(m, 'south-america', 'south-america').configuration).toEqual({
      bootstrap: { nodePort: 31094, alternativeNames: ['kafka.south.example.com'] },
      advertisedHostTemplate: 'broker-{nodeId}.kafka.south.example.com',
    });
    expect(externalListener(m, 'europe', 'europe')).toMatchObject({
      type: 'ingress',
      configuration: { class: 'nginx', bootstrap: { host: 'kafka.europe.example.com' }, hostTemplate: 'broker-{nodeId}.kafka.europe.example.com' },
    });
  });

  test('every mirror reads its source over the external listener: the address the mesh file knows, else the one the source reports', () => {
    const [na, sa, eu] = mesh.regions;
    const reported = (addr: string) => {
      const match = STATUS_ADDRESS.exec(addr);
      if (!match) throw new Error(`not read from a Kafka's status: ${addr}`);
      return m.data!.kubernetes_resource[match[1]];
    };
    // south-america: node ports under a DNS name, known before deploying.
    expect(mirrorAddresses(m, na.namespace).sa).toBe('kafka.south.example.com:31094');
    expect(mirrorAddresses(m, eu.namespace).sa).toBe('kafka.south.example.com:31094');
    // north-america (load balancer) and europe (ingress): read from their Kafka, on their own cluster.
    for (const [reader, source, provider] of [[sa, na, 'kubernetes.ctx_americas'], [eu, na, 'kubernetes.ctx_americas'], [na, eu, 'kubernetes.ctx_europe'], [sa, eu, 'kubernetes.ctx_europe']] as const) {
      const data = reported(mirrorAddresses(m, reader.namespace)[source.alias]);
      expect([data.api_version, data.kind, data.metadata, data.provider]).toEqual(['kafka.strimzi.io/v1', 'Kafka', { name: source.name, namespace: source.namespace }, provider]);
      // Read only once the source's Kafka is Ready (its listeners have their addresses then), and checked.
      expect(data.depends_on).toEqual([readyWaitOf(m, manifestOf(m, 'Kafka', source.namespace, source.name)).address]);
      expect(data.lifecycle.postcondition[0].error_message).toContain(`Kafka ${source.namespace}/${source.name} reports no address for its listener "external"`);
    }
    // No mirror uses an internal address across clusters.
    for (const region of mesh.regions) expect(Object.values(mirrorAddresses(m, region.namespace)).some((a) => a.includes('.svc:'))).toBe(false);
  });

  test('the copied CA certificates and passwords are read on the source\'s cluster and written on the reader\'s', () => {
    for (const reader of mesh.regions) {
      const copy = (Object.values(m.resource.kubernetes_secret_v1) as any[]).find((s) => s.metadata.namespace === reader.namespace && s.metadata.name === 'mirror-sources');
      for (const source of mesh.regions.filter((r) => r !== reader)) {
        for (const [key, secretName] of [[`${source.name}.ca.crt`, clusterCaSecretName(source)], [`${source.name}.password`, MIRROR_SOURCE_USER]]) {
          const [, from] = /data\.kubernetes_secret_v1\.([^.]+)\.data/.exec(copy.data[key])!;
          const read = m.data!.kubernetes_secret_v1[from];
          expect([read.metadata, read.provider ?? 'kubernetes']).toEqual([{ name: secretName, namespace: source.namespace }, manifestOf(m, 'Kafka', source.namespace, source.name).resource.provider]);
        }
      }
    }
  });

  test('outputs name the address other clusters use', () => {
    expect((m.output!['south-america'].value as any).externalBootstrap).toBe('kafka.south.example.com:31094');
    expect((m.output!['europe'].value as any).externalBootstrap).toMatch(STATUS_ADDRESS);
  });
});

describe('a mixed mesh: two regions on each of two clusters', () => {
  const mesh = fixtureMesh('mixed-clusters.yaml');
  const { operator, mesh: stack } = synthMesh(mesh, ENV);
  const m = stack.json;
  const [na, sa, eu, apac] = mesh.regions;

  test('snapshot: mesh stack', () => expect(portable(m)).toMatchSnapshot());

  test('one operator per cluster, not per context name', () => {
    const releases = Object.values(operator.json.resource.helm_release) as any[];
    expect(releases.map((r) => [r.provider ?? 'helm', JSON.parse(r.values[0]).watchNamespaces]).sort()).toEqual([
      ['helm.ctx_americas', ['north-america', 'south-america']],
      ['helm.ctx_europe', ['europe', 'apac']],
    ]);
    expect(manifestOf(m, 'Kafka', 'apac', 'asia-pacific').resource.provider).toBe('kubernetes.ctx_europe');
  });

  test('same-cluster mirrors use the internal listener, cross-cluster ones the external', () => {
    expect(mirrorAddresses(m, na.namespace).sa).toBe(bootstrapAddress(sa));
    expect(mirrorAddresses(m, sa.namespace).na).toBe(bootstrapAddress(na));
    expect(mirrorAddresses(m, eu.namespace).apac).toBe('asia-pacific-kafka-bootstrap.apac.svc:9093');
    expect(mirrorAddresses(m, apac.namespace).eu).toBe(bootstrapAddress(eu));
    // europe's address is the one the mesh file gives, and its certificates carry that name.
    expect(mirrorAddresses(m, na.namespace).eu).toBe('kafka.europe.example.com:9094');
    expect(mirrorAddresses(m, sa.namespace).eu).toBe('kafka.europe.example.com:9094');
    expect(externalListener(m, 'europe', 'europe').configuration).toEqual({ bootstrap: { alternativeNames: ['kafka.europe.example.com'] } });
    for (const reader of [eu, apac]) {
      for (const source of [na, sa]) expect(mirrorAddresses(m, reader.namespace)[source.alias]).toMatch(STATUS_ADDRESS);
    }
    expect(mirrorAddresses(m, na.namespace).apac).toMatch(STATUS_ADDRESS);
  });

  test('every Kafka has an external listener: each has readers on the other cluster', () => {
    for (const region of mesh.regions) expect(externalListener(m, region.namespace, region.name)?.type).toBe('loadbalancer');
  });
});

describe('a context written out is always used as written', () => {
  test('the demo with every region on the current context, written out, is the demo bound to that context: nothing else differs', () => {
    const demo = demoMesh();
    const named: Mesh = { ...demo, regions: demo.regions.map((r) => ({ ...r, context: 'americas' })) };
    const b = synthMesh(named, ENV);
    for (const stack of [b.operator.json, b.mesh.json]) {
      // Every provider names the context, so a later `kubectl config use-context` elsewhere does not move the mesh.
      expect(Object.values(stack.provider).flat().map((p: any) => p.config_context ?? p.kubernetes?.config_context)).toEqual(expect.arrayContaining(['americas']));
      expect(Object.values(stack.provider).flat().every((p: any) => (p.config_context ?? p.kubernetes?.config_context) === 'americas')).toBe(true);
    }
    // Apart from the context, the stacks hold what the demo's hold.
    const counts = (json: TerraformJson) => Object.fromEntries(Object.entries(json.resource).map(([type, rs]) => [type, Object.keys(rs).length]));
    const a = synthMesh(demo);
    expect(counts(b.operator.json)).toEqual(counts(a.operator.json));
    expect(counts(b.mesh.json)).toEqual(counts(a.mesh.json));
  });
});

describe('what cannot be deployed is refused at synth, naming the field, and nothing is written', () => {
  const regions = (...extra: Record<string, unknown>[]) => extra.map((e, i) => ({ name: `region-${i}`, ...e }));
  const cases: Array<[string, unknown, RegExp]> = [
    ['a context that is not in the kubeconfig', { regions: regions({}, { context: 'mars' }), topics: [{ name: 'T' }] }, /^regions\[1\]\.context: "mars" is not a context in the kubeconfig .*three-clusters\.yaml; contexts there: americas, south, europe, europe-admin$/],
    ['two regions with the same namespace on one cluster (two context names)', { regions: regions({ context: 'europe', namespace: 'kafka' }, { context: 'europe-admin', namespace: 'kafka' }), topics: [{ name: 'T' }] }, /^regions\[1\]\.namespace: "kafka" is also the namespace of regions\[0\] \(region-0\) on the same Kubernetes cluster \(https:\/\/k8s\.europe\.example\.com:443\); namespaces must be unique per cluster/],
    ['an external listener in a mesh on one cluster', { regions: regions({ external: { type: 'loadbalancer' } }, {}), topics: [{ name: 'T' }] }, /^regions\[0\]\.external: every region is on one Kubernetes cluster, so no region reads this one over an external listener; remove it/],
  ];
  test.each(cases)('%s', (_name, input, message) => {
    const outdir = mkdtempSync(join(tmpdir(), 'mesh-refused-'));
    try {
      let error: unknown;
      try {
        buildApp(resolveMesh(named(input)), outdir, ENV).synth();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MeshConfigError);
      expect((error as MeshConfigError).problems).toEqual([expect.stringMatching(message)]);
      expect(readdirSync(outdir)).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('a region with a context and no kubeconfig at all', () => {
    const input = { regions: regions({}, { context: 'europe' }), topics: [{ name: 'T' }] };
    expect(() => buildApp(resolveMesh(named(input)), undefined, { KUBECONFIG: join(FIXTURES, 'kubeconfigs', 'absent.yaml') })).toThrow(
      /regions\[1\]\.context: "europe" cannot be resolved to a cluster: no kubeconfig at .*absent\.yaml \(from KUBECONFIG\)/,
    );
  });
});
