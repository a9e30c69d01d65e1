/**
 * What the stacks declare, for the demo and for a five-region, two-topic mesh: a snapshot of every stack, and
 * beside it the properties that make the mesh work and keep it secure.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp, stackNames } from '../main';
import { loadMeshFile } from '../mesh/load';
import { Mesh } from '../mesh/model';
import { consumerPattern, copyName, topicsPattern } from '../mesh/names';
import { demoMesh, fixtureMesh, fullMatch, kubeconfigEnv, manifestOf, manifests, readyWaitOf, synthMesh, TerraformJson, terraformString } from './support/synth';

const meshes: Array<[string, () => Mesh]> = [
  ['the demo', demoMesh],
  ['five regions, two topics', () => fixtureMesh('five-regions.yaml')],
];

describe.each(meshes)('%s', (_name, load) => {
  const mesh = load();
  const stacks = synthMesh(mesh);
  const op = stacks.operator.json;
  const m = stacks.mesh.json;
  const names = mesh.regions.map((r) => r.name);
  const byAddress = (stack: TerraformJson, address: string) => {
    const [type, name] = address.split('.');
    return stack.resource[type]?.[name] ?? stack.data?.[type]?.[name];
  };
  /** Every resource address that `address` depends on, directly or not. */
  const dependencies = (stack: TerraformJson, address: string, seen = new Set<string>()): Set<string> => {
    const resource = byAddress(stack, address.replace(/^data\./, ''));
    for (const dep of resource?.depends_on ?? []) {
      if (!seen.has(dep)) {
        seen.add(dep);
        dependencies(stack, dep, seen);
      }
    }
    return seen;
  };

  test('snapshot: operator stack', () => expect(op).toMatchSnapshot());
  test('snapshot: mesh stack', () => expect(m).toMatchSnapshot());

  describe('operator stack', () => {
    test('installs Strimzi 1.2.0 from its OCI chart, watching exactly the region namespaces', () => {
      const [release] = Object.values(op.resource.helm_release);
      expect(release).toMatchObject({ chart: 'strimzi-kafka-operator', repository: 'oci://quay.io/strimzi-helm', version: '1.2.0', namespace: 'strimzi', wait: true });
      expect(JSON.parse(release.values[0]).watchNamespaces).toEqual(names);
    });

    test('creates the namespaces with Terraform, before the operator', () => {
      const namespaces = Object.entries(op.resource.kubernetes_namespace_v1);
      expect(namespaces.map(([, ns]) => ns.metadata.name).sort()).toEqual([...names, 'strimzi'].sort());
      const [release] = Object.values(op.resource.helm_release);
      for (const [id] of namespaces) expect(release.depends_on).toContain(`kubernetes_namespace_v1.${id}`);
    });

    test("deletes Strimzi's CRDs last on destroy (Helm leaves them)", () => {
      const [[id, cleanup]] = Object.entries(op.resource.terraform_data).filter(([, r]) => r.provisioner?.[0]['local-exec'].when === 'destroy');
      // Only the CRDs this mesh applied: those with its label.
      expect(cleanup.provisioner[0]['local-exec']).toMatchObject({ when: 'destroy', command: expect.stringContaining('delete crd -l "app=strimzi,shared-topic-mesh.io/mesh=$CRD_CLEANUP_MESH"') });
      expect(cleanup.input.mesh).toBe(mesh.name);
      // Everything else depends on it (the namespaces through the CRD apply), so it is destroyed after the operator and the namespaces.
      const [applyId] = Object.entries(op.resource.terraform_data).find(([, r]) => r.provisioner && r.provisioner[0]['local-exec'].when === undefined)!;
      expect(op.resource.terraform_data[applyId].depends_on).toContain(`terraform_data.${id}`);
      for (const ns of Object.values(op.resource.kubernetes_namespace_v1)) expect(ns.depends_on).toContain(`terraform_data.${applyId}`);
    });

    test('the CRD cleanup deletes only in the cluster it deployed to: it records that cluster, as the provider sees it', () => {
      const [cleanup] = Object.values(op.resource.terraform_data).filter((r) => r.provisioner?.[0]['local-exec'].when === 'destroy');
      // The identity is the kube-system namespace's UID, read through the same provider as everything else, as the
      // first deploy recorded it ...
      const [[, identity]] = Object.entries(op.data!.kubernetes_namespace_v1);
      expect(identity).toMatchObject({ metadata: { name: 'kube-system' }, provider: 'kubernetes' });
      const [recordId] = Object.entries(op.resource.terraform_data).find(([id]) => id.startsWith('providers_cluster-identity'))!;
      expect(cleanup.input).toEqual({
        cluster_uid: `\${terraform_data.${recordId}.output}`,
        // ... and kubectl gets the providers' kubeconfig and context (none here: the current one).
        kubeconfig: '${join(":", [pathexpand("~/.kube/config")])}',
        context: '',
        mesh: mesh.name,
      });
      // A destroy provisioner may only read `self`: all three reach it from the recorded input.
      const exec = cleanup.provisioner[0]['local-exec'];
      expect(exec.environment).toEqual({
        KUBECONFIG: '${self.input.kubeconfig}',
        CRD_CLEANUP_CONTEXT: '${self.input.context}',
        CRD_CLEANUP_CLUSTER_UID: '${self.input.cluster_uid}',
        CRD_CLEANUP_MESH: '${self.input.mesh}',
      });
      // It compares before it deletes, and fails the destroy instead of deleting elsewhere.
      const lines: string[] = exec.command.split('\n');
      const compare = lines.findIndex((l) => l.includes('"$uid" != "$CRD_CLEANUP_CLUSTER_UID"'));
      const remove = lines.findIndex((l) => l.includes('delete crd'));
      expect(compare).toBeGreaterThan(-1);
      expect(remove).toBeGreaterThan(compare);
      expect(lines.slice(compare, remove).join('\n')).toContain('exit 1');
    });

    test("applies the chart's CRDs itself, server-side, before the release, and again whenever they change (Helm never upgrades them)", () => {
      const [release] = Object.values(op.resource.helm_release);
      expect(release.skip_crds).toBe(true);
      const [[applyId, apply]] = Object.entries(op.resource.terraform_data).filter(([, r]) => r.provisioner && r.provisioner[0]['local-exec'].when === undefined);
      expect(release.depends_on).toContain(`terraform_data.${applyId}`);
      // The CRDs are the chart's own, of the release's version, read by the Helm provider.
      const [[chartId, chart]] = Object.entries(op.data!.helm_template);
      expect(chart).toMatchObject({ chart: 'strimzi-kafka-operator', repository: release.repository, version: release.version });
      // Replaced (so run again) exactly when the CRDs' text changes, or the recorded cluster.
      const [recordId] = Object.entries(op.resource.terraform_data).find(([id]) => id.startsWith('providers_cluster-identity'))!;
      expect(apply.triggers_replace).toEqual({
        crds_sha256: `\${sha256(join("\\n---\\n", data.helm_template.${chartId}.crds))}`,
        cluster_uid: `\${terraform_data.${recordId}.output}`,
      });
      const exec = apply.provisioner[0]['local-exec'];
      // One variable per CRD, gzip'd (Kafka's CRD is larger than one environment variable may be).
      expect(exec.environment).toContain(`for i, crd in data.helm_template.${chartId}.crds : format("STRIMZI_CRD_%d", i) => base64gzip(crd)`);
      expect(exec.environment).toContain(`CRD_APPLY_CLUSTER_UID = terraform_data.${recordId}.output`);
      const lines: string[] = exec.command.split('\n');
      const compare = lines.findIndex((l) => l.includes('"$uid" != "$CRD_APPLY_CLUSTER_UID"'));
      const applied = lines.findIndex((l) => l.includes('kubectl "$@" apply --server-side --force-conflicts'));
      expect(compare).toBeGreaterThan(-1);
      expect(applied).toBeGreaterThan(compare);
      // Another installation's Strimzi CRDs are refused before anything is applied; ours carry the mesh's label.
      const refuse = lines.findIndex((l) => l.includes('if [ -n "$foreign" ]; then'));
      expect(refuse).toBeGreaterThan(compare);
      expect(applied).toBeGreaterThan(refuse);
      expect(lines[applied]).toContain('kubectl label --local -f - "shared-topic-mesh.io/mesh=$CRD_APPLY_MESH"');
      expect(exec.environment).toContain(`CRD_APPLY_MESH = "${mesh.name}"`);
    });

    test('every stack stays on the cluster it deployed to: the first deploy records it, every later plan, apply and destroy compares', () => {
      const names = stackNames(mesh);
      for (const [name, stack] of [[names.operator, op], [names.mesh, m]] as const) {
        const [[recordId, record]] = Object.entries<any>(stack.resource.terraform_data).filter(([id]) => id.startsWith('providers_cluster-identity'));
        const [[readId, read]] = Object.entries<any>(stack.data!.kubernetes_namespace_v1).filter(([, d]) => d.metadata.name === 'kube-system');
        // Recorded once: the kube-system UID the provider reads, never updated after.
        expect(record).toMatchObject({ input: `\${data.kubernetes_namespace_v1.${readId}.metadata[0].uid}`, lifecycle: { ignore_changes: ['input'] } });
        expect(read.provider).toBe('kubernetes');
        // Compared in an output (Terraform evaluates outputs in every plan, a destroy's included): tobool of the
        // refusal fails the command with it, before anything changes.
        const guard = stack.output!['cluster-guard'].value as string;
        expect(guard).toContain(`terraform_data.${recordId}.output == data.kubernetes_namespace_v1.${readId}.metadata[0].uid ? `);
        expect(guard).toMatch(/: tobool\(format\("Refused, nothing was changed: stack .* was deployed to the Kubernetes cluster whose kube-system namespace has UID %s/);
        expect(guard).toContain(`terraform -chdir=cdktf.out/stacks/${name} state rm terraform_data.${recordId}`);
      }
    });

    test('pins the exact provider versions', () => {
      expect(op.terraform.required_providers.kubernetes.version).toBe('2.38.0');
      expect(op.terraform.required_providers.helm.version).toBe('3.1.1');
      expect(m.terraform.required_providers.kubernetes.version).toBe('2.38.0');
      expect(m.terraform.required_providers.helm.version).toBe('3.1.1');
    });
  });

  describe('regions', () => {
    test.each(mesh.regions.map((r) => [r.name, r]))('%s: a KRaft Kafka with one TLS + SCRAM listener, simple authorization, no auto-creation', (_n, region) => {
      const kafka = manifestOf(m, 'Kafka', region.name, region.name);
      expect(kafka.object.apiVersion).toBe('kafka.strimzi.io/v1');
      expect(kafka.object.spec.kafka.listeners).toEqual([
        { name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' } },
      ]);
      expect(kafka.object.spec.kafka.authorization).toEqual({ type: 'simple' });
      expect(kafka.object.spec.kafka.config['auto.create.topics.enable']).toBe(false);
      expect(kafka.object.spec.entityOperator).toEqual({
        topicOperator: {},
        userOperator: {},
        // No finalizers on KafkaTopics: a removed region's namespace is deleted whole, and must not stick.
        template: { topicOperatorContainer: { env: [{ name: 'STRIMZI_USE_FINALIZERS', value: 'false' }] } },
      });
      // No provider wait on the object itself (a timeout would taint it): a wait resource beside it.
      expect(kafka.resource.wait).toBeUndefined();
      expect(readyWaitOf(m, kafka).resource.provisioner[0]['local-exec'].environment).toMatchObject({ WAIT_FOR: 'ready', WAIT_RESOURCE: 'kafkas.kafka.strimzi.io', WAIT_NAMESPACE: region.name, WAIT_NAME: region.name });
      const pools = manifests(m, 'KafkaNodePool').filter((p) => p.object.metadata.namespace === region.name);
      expect(pools.map((p) => [p.object.metadata.labels?.['strimzi.io/cluster'], p.object.spec.roles, p.object.spec.replicas])).toEqual([
        [region.name, ['controller', 'broker'], mesh.kafka.brokers],
      ]);
    });

    test('every region has every canonical topic, identically, and no copy is declared', () => {
      const topics = manifests(m, 'KafkaTopic');
      expect(topics).toHaveLength(mesh.regions.length * mesh.topics.length);
      for (const region of mesh.regions) {
        const byName = (a: { topicName: string }, b: { topicName: string }) => a.topicName.localeCompare(b.topicName);
        const specs = topics.filter((t) => t.object.metadata.namespace === region.name).map((t) => t.object.spec);
        expect(specs.sort(byName)).toEqual(mesh.topics.map((t) => ({ topicName: t.name, partitions: t.partitions, replicas: t.replicas, ...(Object.keys(t.config).length ? { config: t.config } : {}) })).sort(byName));
      }
      expect(topics.every((t) => mesh.topics.some((c) => c.name === t.object.spec.topicName))).toBe(true);
    });

    test('topics and users are created after their Kafka is Ready, and so destroyed while its operators run', () => {
      for (const entry of [...manifests(m, 'KafkaTopic'), ...manifests(m, 'KafkaUser')]) {
        const kafka = manifestOf(m, 'Kafka', entry.object.metadata.namespace!, entry.object.metadata.namespace!);
        expect(entry.resource.depends_on).toContain(readyWaitOf(m, kafka).address);
      }
    });
  });

  describe('waits', () => {
    const waited = [...['Kafka', 'KafkaNodePool', 'KafkaTopic', 'KafkaUser', 'KafkaMirrorMaker2'].flatMap((k) => manifests(m, k)), ...manifests(m, 'Deployment')];
    const waitFor = (kind: string) => (kind === 'Deployment' ? 'rollout' : kind === 'KafkaNodePool' ? 'pool' : 'ready');

    test('no object waits inside its own resource (a timeout would taint it, and the next deploy would recreate it)', () => {
      expect(manifests(m).filter((e) => e.resource.wait !== undefined).map((e) => e.address)).toEqual([]);
    });

    test('every Strimzi resource and app has one wait beside it, run after it is applied and again after every change to it', () => {
      for (const entry of waited) {
        const wait = readyWaitOf(m, entry);
        const env = wait.resource.provisioner[0]['local-exec'].environment;
        expect(env).toMatchObject({
          WAIT_FOR: waitFor(entry.object.kind),
          WAIT_NAMESPACE: entry.object.metadata.namespace,
          WAIT_NAME: entry.object.metadata.name,
          WAIT_TIMEOUT_SECONDS: String(mesh.deploy.readyTimeoutSeconds),
          // kubectl reads the providers' kubeconfig
          KUBECONFIG: '${join(":", [pathexpand("~/.kube/config")])}',
        });
      }
    });

    test('Ready counts only for the latest generation: a stale Ready=True of the previous generation does not pass', () => {
      const ref: string = readyWaitOf(m, manifestOf(m, 'Kafka', names[0], names[0])).resource.provisioner[0]['local-exec'].command;
      // Every wait runs the stack's one copy of the script (a local).
      const command: string = (m as any).locals[/^\$\{local\.([\w-]+)\}$/.exec(ref)![1]];
      expect(command).toContain('{.metadata.generation};{.status.observedGeneration};{.status.conditions[?(@.type=="Ready")].status}');
      expect(command).toContain('[ "$ready" = True ] && [ "$observed" = "$generation" ]');
      // Deployments: kubectl rollout status, which compares the observed generation itself.
      expect(command).toContain('rollout status "deployment/$WAIT_NAME"');
    });

    test("a Kafka's pools have waits of their own (a storage change or scale-down Strimzi refuses fails there), at new addresses", () => {
      for (const region of names) {
        const pool = manifestOf(m, 'KafkaNodePool', region, 'dual-role');
        const wait = readyWaitOf(m, pool);
        // The pool keeps its address; its wait is new, beside it.
        expect(pool.address).toMatch(/_pool-dual-role_[0-9A-F]{8}$/);
        expect(wait.address).toMatch(/_pool-dual-role-ready_wait_[0-9A-F]{8}$/);
        expect(wait.resource.provisioner[0]['local-exec'].environment).toMatchObject({ WAIT_FOR: 'pool', WAIT_KAFKA: region });
      }
    });

    test("a Kafka's wait runs after its pools' waits, and again whenever a pool changes (a pool change does not move the Kafka's generation)", () => {
      for (const region of names) {
        const kafka = readyWaitOf(m, manifestOf(m, 'Kafka', region, region));
        const pools = manifests(m, 'KafkaNodePool').filter((p) => p.object.metadata.namespace === region);
        expect(pools.length).toBeGreaterThan(0);
        expect(kafka.resource.lifecycle.replace_triggered_by).toEqual([manifestOf(m, 'Kafka', region, region).address, ...pools.map((p) => p.address)]);
        for (const pool of pools) expect(kafka.resource.depends_on).toContain(readyWaitOf(m, pool).address);
      }
    });

    test('every wait first checks that kubectl reaches the cluster the stack recorded (its provider\'s identity)', () => {
      const [recordId] = Object.keys(m.resource.terraform_data).filter((id) => id.startsWith('providers_cluster-identity'));
      for (const entry of waited) expect(readyWaitOf(m, entry).resource.provisioner[0]['local-exec'].environment.WAIT_CLUSTER_UID).toBe(`\${terraform_data.${recordId}.output}`);
    });

    test("what needs an object depends on its wait: a MirrorMaker 2 is updated only after its user's new ACLs are Ready", () => {
      for (const region of names) {
        const mm2 = manifestOf(m, 'KafkaMirrorMaker2', region, 'mirrormaker2');
        expect(mm2.resource.depends_on).toEqual(expect.arrayContaining([
          readyWaitOf(m, manifestOf(m, 'Kafka', region, region)).address,
          readyWaitOf(m, manifestOf(m, 'KafkaUser', region, 'mirrormaker2')).address,
        ]));
        const producer = manifestOf(m, 'Deployment', region, 'producer');
        expect(producer.resource.depends_on).toContain(readyWaitOf(m, mm2).address);
      }
    });

    test('deploy.readyTimeoutSeconds sets every wait', () => {
      const quick = synthMesh({ ...mesh, deploy: { ...mesh.deploy, readyTimeoutSeconds: 45 } }).mesh.json;
      // every terraform_data with a provisioner is a wait (the others: the cluster record, the UI logins' passwords)
      const waits = Object.entries(quick.resource.terraform_data).filter(([, r]) => r.provisioner);
      const timeouts = waits.map(([, r]) => r.provisioner[0]['local-exec'].environment.WAIT_TIMEOUT_SECONDS);
      expect(new Set(timeouts)).toEqual(new Set(['45']));
      expect(timeouts).toHaveLength(waited.length);
    });
  });

  describe('MirrorMaker 2', () => {
    const mm2s = manifests(m, 'KafkaMirrorMaker2');
    const flows = mm2s.flatMap((mm2) => mm2.object.spec.mirrors.map((mirror: any) => `${mirror.source.alias}->${mm2.object.spec.target.alias}`));

    test('N regions make N(N-1) mirror flows, one per ordered pair of regions', () => {
      const n = mesh.regions.length;
      expect(mm2s).toHaveLength(n);
      expect(new Set(flows).size).toBe(n * (n - 1));
      for (const a of mesh.regions) for (const b of mesh.regions) if (a !== b) expect(flows).toContain(`${a.alias}->${b.alias}`);
    });

    test("each region's MirrorMaker 2 runs there, targets its own cluster and pulls from all the others", () => {
      for (const region of mesh.regions) {
        const mm2 = manifestOf(m, 'KafkaMirrorMaker2', region.name, 'mirrormaker2');
        expect(mm2.object.spec.target).toMatchObject({ alias: region.alias, bootstrapServers: `${region.name}-kafka-bootstrap.${region.name}.svc:9093` });
        const sources = mm2.object.spec.mirrors.map((x: any) => [x.source.alias, x.source.bootstrapServers]);
        expect(sources).toEqual(mesh.regions.filter((r) => r !== region).map((r) => [r.alias, `${r.name}-kafka-bootstrap.${r.name}.svc:9093`]));
      }
    });

    test('every alias is the same wherever it is mentioned', () => {
      const aliasOf = new Map<string, Set<string>>();
      for (const mm2 of mm2s) {
        const entries = [mm2.object.spec.target, ...mm2.object.spec.mirrors.map((x: any) => x.source)];
        for (const e of entries) aliasOf.set(e.bootstrapServers, new Set([...(aliasOf.get(e.bootstrapServers) ?? []), e.alias]));
      }
      for (const aliases of aliasOf.values()) expect(aliases.size).toBe(1);
    });

    test('the topic pattern matches every canonical topic and no copy, even after a topic refresh sees the copies', () => {
      const copies = mesh.regions.flatMap((r) => mesh.topics.map((t) => copyName(r.alias, t.name)));
      for (const mm2 of mm2s) {
        for (const mirror of mm2.object.spec.mirrors) {
          expect(mirror.topicsPattern).toBe(topicsPattern(mesh));
          for (const t of mesh.topics) expect(fullMatch(mirror.topicsPattern, t.name)).toBe(true);
          for (const c of [...copies, ...copies.map((c) => copyName(mesh.regions[0].alias, c))]) expect(fullMatch(mirror.topicsPattern, c)).toBe(false);
          expect(mirror.checkpointConnector).toBeUndefined();
        }
      }
    });

    test('Kafka Connect stores its topics in the target with the mesh replication, and commits source offsets every 10 s', () => {
      for (const mm2 of mm2s) {
        const rf = String(Math.min(3, mesh.kafka.brokers));
        expect(mm2.object.spec.target).toMatchObject({
          groupId: 'mirrormaker2',
          configStorageTopic: 'mirrormaker2-configs',
          offsetStorageTopic: 'mirrormaker2-offsets',
          statusStorageTopic: 'mirrormaker2-status',
          config: { 'offset.flush.interval.ms': '10000', 'config.storage.replication.factor': rf, 'offset.storage.replication.factor': rf, 'status.storage.replication.factor': rf },
        });
      }
    });

    test('source connectors: default policy with "." separator, config sync on, ACL sync off, offset-syncs in the target, honest intervals', () => {
      for (const mm2 of mm2s) {
        for (const mirror of mm2.object.spec.mirrors) {
          expect(mirror.sourceConnector.config).toMatchObject({
            'replication.policy.class': 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy',
            'replication.policy.separator': '.',
            'sync.topic.configs.enabled': 'true',
            'sync.topic.acls.enabled': 'false',
            'offset-syncs.topic.location': 'target',
            'refresh.topics.enabled': 'true',
            // 600 s is the 10 minutes the original's comment promised (it set 600000 s, about a week).
            'refresh.topics.interval.seconds': '600',
            'offset.lag.max': '100',
          });
        }
      }
    });

    test('every mirror heals itself: the operator restarts a failed source connector or task (autoRestart, unlimited)', () => {
      const mirrors = mm2s.flatMap((mm2) => mm2.object.spec.mirrors);
      expect(mirrors).toHaveLength(mesh.regions.length * (mesh.regions.length - 1));
      for (const mirror of mirrors) expect(mirror.sourceConnector.autoRestart).toEqual({ enabled: true });
    });
  });

  describe('long links between regions', () => {
    const mm2s = manifests(m, 'KafkaMirrorMaker2');
    test("each mirror's source consumer fetches twice the link's bandwidth-delay product per partition and round trip, with a socket buffer the OS sizes and a long idle wait", () => {
      // the defaults: 250 ms at 20 MB/s = 5 MB in flight; twice that, rounded up to MiB = 10 MiB (Kafka's default: 1 MiB)
      expect(mesh.mirrorMaker.wan).toEqual({ roundTripMs: 250, throughputMBps: 20 });
      for (const mm2 of mm2s) {
        for (const mirror of mm2.object.spec.mirrors) {
          expect(mirror.sourceConnector.config).toMatchObject({ 'consumer.max.partition.fetch.bytes': String(10 * 1024 * 1024), 'consumer.receive.buffer.bytes': '-1' });
          // an idle mirror asks each source broker every 5 s rather than every 500 ms (a record ends the wait at once: fetch.min.bytes stays 1)
          expect(mirror.sourceConnector.config['consumer.fetch.max.wait.ms']).toBe('5000');
          expect(mirror.sourceConnector.config).not.toHaveProperty('consumer.fetch.min.bytes');
          // 10 MiB is below Kafka's 50 MiB fetch.max.bytes, which stays
          expect(mirror.sourceConnector.config).not.toHaveProperty('consumer.fetch.max.bytes');
          // these keys only reach the source consumer under the connector config, never under the source cluster's config
          // (Kafka's MirrorConnectorConfig keeps only bootstrap, security, SSL and SASL keys of source.cluster.*)
          expect(JSON.stringify(mirror.source.config ?? {})).not.toMatch(/fetch|buffer/);
        }
      }
    });

    test("the copies' producer sends 128 KiB batches, compressed with zstd", () => {
      for (const mm2 of mm2s) {
        for (const mirror of mm2.object.spec.mirrors) {
          expect(mirror.sourceConnector.config).toMatchObject({ 'producer.override.batch.size': '131072', 'producer.override.compression.type': 'zstd' });
        }
        // per connector, not for the whole Connect worker
        expect(JSON.stringify(mm2.object.spec.target.config)).not.toMatch(/producer\./);
      }
    });

    test('brokers let the OS size their send buffers, so a remote fetch is not held to 100 KiB per round trip', () => {
      for (const region of mesh.regions) expect(manifestOf(m, 'Kafka', region.name, region.name).object.spec.kafka.config['socket.send.buffer.bytes']).toBe(-1);
    });

    test('every SCRAM session re-authenticates within kafka.reauthenticationSeconds (default one hour), on every listener', () => {
      for (const region of mesh.regions) {
        const config = manifestOf(m, 'Kafka', region.name, region.name).object.spec.kafka.config;
        expect(config['connections.max.reauth.ms']).toBe(3_600_000);
        // unprefixed (all listeners), not one listener's listener.name.<name>-<port>.connections.max.reauth.ms
        expect(Object.keys(config).filter((k) => k.includes('reauth'))).toEqual(['connections.max.reauth.ms']);
        // Strimzi 1.2.0 drops spec.kafka.config keys with these prefixes (KafkaClusterSpec.FORBIDDEN_PREFIXES, AbstractConfiguration.filterForbidden)
        const forbidden = ['listeners', 'advertised.', 'broker.', 'listener.', 'host.name', 'port', 'inter.broker.listener.name', 'sasl.', 'ssl.', 'security.', 'password.', 'log.dir', 'authorizer.', 'super.user', 'node.id', 'process.roles', 'controller.', 'metadata.log.dir'];
        expect(Object.keys(config).filter((k) => forbidden.some((prefix) => k.startsWith(prefix)))).toEqual([]);
      }
      const shorter = synthMesh({ ...mesh, kafka: { ...mesh.kafka, reauthenticationSeconds: 600 } }).mesh.json;
      expect(manifestOf(shorter, 'Kafka', mesh.regions[0].name, mesh.regions[0].name).object.spec.kafka.config['connections.max.reauth.ms']).toBe(600_000);
    });

    test('the demo producer compresses its orders with zstd (kafka-console-producer takes the codec from --compression-codec only)', () => {
      const scripts = manifestOf(m, 'ConfigMap', mesh.regions[0].name, 'loosehanger-apps').object.data;
      expect(terraformString(scripts['produce.sh'])).toContain('--compression-codec "${COMPRESSION_CODEC:-zstd}"');
      expect(terraformString(scripts['produce.sh'])).not.toMatch(/--command-property compression\.type/);
    });
  });

  describe('security', () => {
    test('every MirrorMaker 2 connection uses TLS with a CA and SCRAM-SHA-512 credentials', () => {
      for (const mm2 of manifests(m, 'KafkaMirrorMaker2')) {
        const { target, mirrors } = mm2.object.spec;
        expect(target.tls.trustedCertificates).toEqual([{ secretName: `${mm2.object.metadata.namespace}-cluster-ca-cert`, certificate: 'ca.crt' }]);
        expect(target.authentication).toEqual({ type: 'scram-sha-512', username: 'mirrormaker2', passwordSecret: { secretName: 'mirrormaker2', password: 'password' } });
        for (const { source } of mirrors) {
          const name = nameOfAlias(mesh, source.alias);
          expect(source.tls.trustedCertificates).toEqual([{ secretName: 'mirror-sources', certificate: `${name}.ca.crt` }]);
          expect(source.authentication).toEqual({
            type: 'scram-sha-512',
            username: 'mirror-source',
            passwordSecret: { secretName: 'mirror-sources', password: `${name}.password` },
          });
        }
      }
    });

    test("mirrors read each source as its read-only mirror-source user", () => {
      for (const region of mesh.regions) {
        const reader = manifestOf(m, 'KafkaUser', region.name, 'mirror-source');
        const acls = reader.object.spec.authorization.acls;
        expect(acls.map((a: any) => a.resource.name).sort()).toEqual(mesh.topics.map((t) => t.name).sort());
        expect(acls.every((a: any) => a.operations.every((o: string) => ['Read', 'Describe', 'DescribeConfigs'].includes(o)))).toBe(true);
      }
    });

    test("each region's mirror-sources Secret holds every other region's CA and password, read once they are Ready, before its MirrorMaker 2", () => {
      const secrets = Object.entries(m.resource.kubernetes_secret_v1).filter(([, s]) => s.metadata.name === 'mirror-sources');
      expect(Object.keys(m.resource.kubernetes_secret_v1)).toHaveLength(mesh.regions.length * (mesh.ui.enabled ? 2 : 1)); // and the UI logins'
      // One per region, not one per mirror flow.
      expect(secrets).toHaveLength(mesh.regions.length);
      const sourceOf = (expression: string) => {
        const [, from] = /data\.kubernetes_secret_v1\.([^.]+)\.data/.exec(expression)!;
        return m.data!.kubernetes_secret_v1[from];
      };
      for (const [id, secret] of secrets) {
        const reader = secret.metadata.namespace;
        expect(secret.metadata.name).toBe('mirror-sources');
        const others = mesh.regions.filter((r) => r.name !== reader).map((r) => r.name);
        expect(Object.keys(secret.data).sort()).toEqual(others.flatMap((o) => [`${o}.ca.crt`, `${o}.password`]).sort());
        for (const source of others) {
          const ca = sourceOf(secret.data[`${source}.ca.crt`]);
          expect(ca.metadata).toEqual({ name: `${source}-cluster-ca-cert`, namespace: source });
          expect(ca.depends_on).toEqual([readyWaitOf(m, manifestOf(m, 'Kafka', source, source)).address]);
          const password = sourceOf(secret.data[`${source}.password`]);
          expect(password.metadata).toEqual({ name: 'mirror-source', namespace: source });
          expect(password.depends_on).toEqual([readyWaitOf(m, manifestOf(m, 'KafkaUser', source, 'mirror-source')).address]);
        }
        expect(manifestOf(m, 'KafkaMirrorMaker2', reader, 'mirrormaker2').resource.depends_on).toContain(`kubernetes_secret_v1.${id}`);
      }
      // Each source is read once, whatever the number of regions that mirror from it.
      expect(Object.keys(m.data!.kubernetes_secret_v1)).toHaveLength(2 * mesh.regions.length);
    });

    test('every KafkaUser authenticates with SCRAM-SHA-512 and has simple ACLs', () => {
      const users = manifests(m, 'KafkaUser');
      // mirrormaker2, mirror-source, producer, consumer, kafka-ui
      expect(users).toHaveLength(mesh.regions.length * 5);
      for (const user of users) {
        expect(user.object.spec.authentication).toEqual({ type: 'scram-sha-512' });
        expect(user.object.spec.authorization.type).toBe('simple');
        expect(user.object.spec.authorization.acls.length).toBeGreaterThan(0);
      }
    });
  });

  describe('demo apps', () => {
    test.each(mesh.regions.map((r) => [r.name, r]))('%s: producer and consumer connect over TLS as their own users', (_n, region) => {
      for (const name of ['producer', 'consumer']) {
        const app = manifestOf(m, 'Deployment', region.name, name);
        const container = app.object.spec.template.spec.containers[0];
        const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
        expect(env.BOOTSTRAP_SERVERS).toBe(`${region.name}-kafka-bootstrap.${region.name}.svc:9093`);
        expect(env.CA_CERT).toBe('/etc/kafka-ca/ca.crt');
        expect(env.KAFKA_USERNAME).toBe(name);
        expect(env.KAFKA_PASSWORD).toEqual({ secretKeyRef: { name, key: 'password' } });
        expect(app.object.spec.template.spec.volumes).toContainEqual({ name: 'cluster-ca', secret: { secretName: `${region.name}-cluster-ca-cert`, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
        expect(container.image).toBe('quay.io/strimzi/kafka:1.2.0-kafka-4.3.1');
      }
    });

    test("the producer is localised; the consumer's one subscription is the canonical topic and its N-1 copies", () => {
      for (const region of mesh.regions) {
        const envOf = (name: string) =>
          Object.fromEntries(manifestOf(m, 'Deployment', region.name, name).object.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        expect(envOf('producer')).toMatchObject({ TOPIC: mesh.apps.topic, REGION_CODE: region.code, WAREHOUSES: region.warehouses.join('|') });
        const subscription = envOf('consumer').SUBSCRIPTION;
        expect(subscription).toBe(consumerPattern(mesh, region, mesh.apps.topic));
        const candidates = mesh.regions.flatMap((r) => [copyName(r.alias, mesh.apps.topic), ...mesh.regions.map((o) => copyName(o.alias, copyName(r.alias, mesh.apps.topic)))]);
        expect([mesh.apps.topic, ...candidates].filter((t) => fullMatch(subscription, t))).toHaveLength(mesh.regions.length);
      }
    });

    test('the apps start only when their topic, users and MirrorMaker 2 are ready', () => {
      for (const region of mesh.regions) {
        const deps = dependencies(m, manifestOf(m, 'Deployment', region.name, 'consumer').address);
        expect(deps).toContain(manifestOf(m, 'KafkaMirrorMaker2', region.name, 'mirrormaker2').address);
        expect(deps).toContain(manifestOf(m, 'KafkaUser', region.name, 'consumer').address);
      }
    });
  });

  test('outputs give each region its namespace, bootstrap address, follow command and web UI; the UI password is sensitive', () => {
    for (const region of mesh.regions) {
      expect(m.output![region.name].value).toEqual({
        namespace: region.name,
        alias: region.alias,
        bootstrap: `${region.name}-kafka-bootstrap.${region.name}.svc:9093`,
        follow: `kubectl logs -n ${region.name} deployment/consumer -f`,
        ui: `kubectl port-forward -n ${region.name} service/kafka-ui 8080:80, then http://localhost:8080 as user kafka-ui`,
      });
      expect(m.output![`${region.name}-ui-password`]).toEqual({ description: expect.any(String), sensitive: true, value: `\${kubernetes_secret_v1.${region.name}-ui-login-password.data.password}` });
    }
  });

  describe('web UI', () => {
    const releases = Object.values(m.resource.helm_release ?? {});

    test('one read-only Kafbat UI per region, over TLS + SCRAM as the kafka-ui user, behind a login', () => {
      expect(releases).toHaveLength(mesh.regions.length);
      for (const region of mesh.regions) {
        const release = releases.find((r) => r.namespace === region.name)!;
        expect(release).toMatchObject({ chart: 'kafka-ui', repository: 'https://kafbat.github.io/helm-charts', version: '1.5.2', name: 'kafka-ui', wait: true });
        const values = JSON.parse(terraformString(release.values[0]));
        const [cluster] = values.yamlApplicationConfig.kafka.clusters;
        expect(cluster).toMatchObject({ name: region.name, bootstrapServers: `${region.name}-kafka-bootstrap.${region.name}.svc:9093`, readOnly: true });
        expect(cluster.properties).toMatchObject({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', 'ssl.truststore.type': 'PEM' });
        expect(cluster.properties['sasl.jaas.config']).toContain('username="kafka-ui" password="${KAFKA_PASSWORD}"');
        expect(values.yamlApplicationConfig.auth).toEqual({ type: 'LOGIN_FORM' });
        // The login's password is its own, from the Secret the stack writes, never the KafkaUser's.
        expect(values.yamlApplicationConfig.spring.security.user).toEqual({ name: 'kafka-ui', password: '${LOGIN_PASSWORD}' });
        expect(values.env).toEqual([
          { name: 'KAFKA_PASSWORD', valueFrom: { secretKeyRef: { name: 'kafka-ui', key: 'password' } } },
          { name: 'LOGIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'kafka-ui-login', key: 'password' } } },
        ]);
        const [loginId, login] = Object.entries(m.resource.kubernetes_secret_v1).find(([, s]: [string, any]) => s.metadata.namespace === region.name && s.metadata.name === 'kafka-ui-login')! as [string, any];
        // Random (uuid()), generated once: ignore_changes keeps the first value; a Secret's data is never shown in a plan.
        expect(loginId).toBe(`${region.name}-ui-login-password`);
        expect(login).toMatchObject({ data: { password: '${uuid()}' }, lifecycle: { ignore_changes: ['data'] } });
        expect(release.depends_on).toContain(`kubernetes_secret_v1.${loginId}`);
        expect(values.volumes).toEqual([{ name: 'cluster-ca', secret: { secretName: `${region.name}-cluster-ca-cert`, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }]);
        expect(release.depends_on).toContain(readyWaitOf(m, manifestOf(m, 'KafkaUser', region.name, 'kafka-ui')).address);
      }
    });
  });

  describe('metrics', () => {
    test('Kafka and MirrorMaker 2 export Prometheus metrics from the rules ConfigMap, and a Kafka Exporter covers every topic', () => {
      for (const region of mesh.regions) {
        const rules = manifestOf(m, 'ConfigMap', region.name, 'strimzi-metrics');
        const ref = (key: string) => ({ type: 'jmxPrometheusExporter', valueFrom: { configMapKeyRef: { name: 'strimzi-metrics', key } } });
        const kafka = manifestOf(m, 'Kafka', region.name, region.name);
        expect(kafka.object.spec.kafka.metricsConfig).toEqual(ref('kafka-metrics.yaml'));
        expect(kafka.object.spec.kafkaExporter).toEqual({ topicRegex: '.*', groupRegex: '.*' });
        expect(manifestOf(m, 'KafkaMirrorMaker2', region.name, 'mirrormaker2').object.spec.metricsConfig).toEqual(ref('mirrormaker2-metrics.yaml'));
        // MirrorMaker 2's replication latency and record age are exported.
        expect(rules.object.data['mirrormaker2-metrics.yaml']).toContain('replication-latency-ms|record-age-ms');
        expect(rules.object.data['kafka-metrics.yaml']).toContain('UnderReplicatedPartitions');
        expect(dependencies(m, kafka.address)).toContain(rules.address);
      }
      expect(manifests(m, 'PodMonitor')).toHaveLength(0);
    });
  });

  test('Terraform reads no literal as a template: every ${ or %{ is an escape or a reference to a declared object', () => {
    for (const stack of [op, m]) {
      const text = JSON.stringify(stack);
      const declared = new Set([
        ...Object.entries(stack.resource).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`)),
        ...Object.entries(stack.data ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((n) => `data.${type}.${n}`)),
        ...Object.keys((stack as any).locals ?? {}).map((n) => `local.${n}`),
      ]);
      // An expression is a reference (data.T.N..., T.N..., or `self.` in a provisioner) or a call of Terraform
      // functions whose arguments are string literals and such references.
      for (const match of text.matchAll(/(?<![$%])[$%]\{((?:[^}"]|\\"(?:[^"\\]|\\\\.)*?\\")*)\}/g)) {
        const code = match[1].replace(/\\"(?:[^"\\]|\\\\.)*?\\"/g, '""');
        const references = [...code.matchAll(/(?<![\w.])(data\.)?[a-z_0-9]+\.[A-Za-z0-9_-]+/g)].map((r) => r[0]);
        const calls = [...code.matchAll(/\b([a-z]+)\(/g)].map((c) => c[1]);
        const meaningful = references.length > 0 || calls.length > 0;
        const undeclared = references.filter((r) => !declared.has(r) && !r.startsWith('self.'));
        expect({ expression: match[0], meaningful, undeclared }).toEqual({ expression: match[0], meaningful: true, undeclared: [] });
      }
    }
  });

  test('two synths of the same mesh are byte-identical', () => {
    const again = synthMesh(load());
    expect(again.operator.text).toBe(stacks.operator.text);
    expect(again.mesh.text).toBe(stacks.mesh.text);
  });
});

describe('options', () => {
  test('dedicated controllers make two node pools, and persistent storage deletes its claims on destroy', () => {
    const mesh = fixtureMesh('five-regions.yaml');
    const custom = { ...mesh, kafka: { ...mesh.kafka, controllers: 3, storage: { type: 'persistent' as const, size: '20Gi', storageClass: 'fast' } } };
    const { mesh: m } = synthMesh(custom);
    const pools = manifests(m.json, 'KafkaNodePool').filter((p) => p.object.metadata.namespace === 'europe');
    expect(pools.map((p) => [p.object.metadata.name, p.object.spec.roles, p.object.spec.replicas]).sort()).toEqual([
      ['brokers', ['broker'], 3],
      ['controllers', ['controller'], 3],
    ]);
    expect(pools.find((p) => p.object.metadata.name === 'brokers')!.object.spec.storage).toEqual({ type: 'persistent-claim', size: '20Gi', class: 'fast', deleteClaim: true });
  });

  test('the kubeconfig is chosen as kubectl chooses it: KUBECONFIG (a list, relative paths made absolute), else ~/.kube/config', () => {
    const mesh = demoMesh();
    const providersOf = (env: NodeJS.ProcessEnv, m = mesh) => {
      const outdir = mkdtempSync(join(tmpdir(), 'mesh-kubeconfig-'));
      try {
        buildApp(m, outdir, env).synth();
        const stack = (name: string) => JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
        return { op: stack('demo-operator'), mesh: stack('demo-mesh') };
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    };
    const cwd = process.cwd();
    const fromEnv = providersOf({ KUBECONFIG: `/etc/kube/a.yaml:b.yaml` });
    for (const stack of [fromEnv.op, fromEnv.mesh]) {
      expect(stack.provider.kubernetes[0].config_paths).toEqual(['/etc/kube/a.yaml', `${cwd}/b.yaml`]);
    }
    expect(fromEnv.op.provider.helm[0].kubernetes.config_paths).toEqual(['/etc/kube/a.yaml', `${cwd}/b.yaml`]);
    expect(Object.values<any>(fromEnv.op.resource.terraform_data).find((r) => r.input?.kubeconfig)!.input.kubeconfig).toBe(
      `\${join(":", [pathexpand("/etc/kube/a.yaml"), pathexpand("${cwd}/b.yaml")])}`,
    );
    expect(providersOf({}).op.provider.kubernetes[0].config_paths).toEqual(['~/.kube/config']);
    // The mesh file's own kubeconfig wins over KUBECONFIG.
    expect(providersOf({ KUBECONFIG: '/etc/kube/a.yaml' }, { ...mesh, kubeconfig: '/srv/mesh.kubeconfig' }).mesh.provider.kubernetes[0].config_paths).toEqual(['/srv/mesh.kubeconfig']);
  });

  test.each(['KUBE_CONFIG_PATH', 'KUBE_CTX', 'KUBE_HOST'])('%s would split the deploy across clusters: refused, naming the variable', (name) => {
    expect(() => buildApp(demoMesh(), mkdtempSync(join(tmpdir(), 'mesh-env-')), { [name]: 'elsewhere' })).toThrow(
      new RegExp(`Refusing to synthesize[\\s\\S]*${name} is set \\(to "elsewhere"\\)[\\s\\S]*Unset them and choose the cluster with KUBECONFIG`),
    );
    // Empty is unset.
    expect(() => buildApp(demoMesh(), mkdtempSync(join(tmpdir(), 'mesh-env-')), { [name]: '' })).not.toThrow();
  });

  test('regions on other kubeconfig contexts get their own providers and operators', () => {
    const mesh = demoMesh();
    const split = { ...mesh, regions: mesh.regions.map((r, i) => (i === 2 ? { ...r, context: 'europe' } : r)) };
    const { operator, mesh: m } = synthMesh(split, kubeconfigEnv('three-clusters.yaml'));
    expect(operator.json.provider.kubernetes.map((p: any) => p.config_context ?? '(current)')).toEqual(['(current)', 'europe']);
    const releases = Object.values(operator.json.resource.helm_release);
    expect(releases.map((r: any) => JSON.parse(r.values[0]).watchNamespaces).sort()).toEqual([['europe'], ['north-america', 'south-america']]);
    const eu = manifestOf(m.json, 'Kafka', 'europe', 'europe');
    expect(eu.resource.provider).toBe('kubernetes.ctx_europe');
    expect(manifestOf(m.json, 'Kafka', 'north-america', 'north-america').resource.provider).toBe('kubernetes');
    // The copy of europe's CA into north-america is read through europe's provider and written through the default one.
    const copy = Object.values(m.json.resource.kubernetes_secret_v1).find((s: any) => s.metadata.namespace === 'north-america' && s.metadata.name === 'mirror-sources')!;
    expect(copy.provider).toBe('kubernetes');
    const [, from] = /data\.kubernetes_secret_v1\.([^.]+)\.data/.exec(copy.data['europe.ca.crt'])!;
    expect(m.json.data!.kubernetes_secret_v1[from].provider).toBe('kubernetes.ctx_europe');
  });

  test('the README walkthrough (examples/europe-retention.yaml) changes the demo in one place only', () => {
    const demo = synthMesh(demoMesh()).mesh.json;
    const changed = synthMesh(loadMeshFile(join(__dirname, '..', 'examples', 'europe-retention.yaml'))).mesh.json;
    const differing = Object.keys(changed.resource.kubernetes_manifest).filter(
      (id) => JSON.stringify(changed.resource.kubernetes_manifest[id]) !== JSON.stringify(demo.resource.kubernetes_manifest[id]),
    );
    expect(differing.map((id) => changed.resource.kubernetes_manifest[id].manifest.metadata)).toEqual([
      { name: 'lh.orders', namespace: 'europe', labels: { 'strimzi.io/cluster': 'europe' } },
    ]);
    expect(Object.keys(changed.resource.kubernetes_manifest).sort()).toEqual(Object.keys(demo.resource.kubernetes_manifest).sort());
    expect(manifestOf(changed, 'KafkaTopic', 'europe', 'lh.orders').object.spec.config['retention.ms']).toBe('3600000');
  });

  test('the throwaway demo (examples/throwaway-ephemeral.yaml) differs from the demo in its node pools\' storage and the replicas of its one-replica topics only', () => {
    const demo = synthMesh(demoMesh()).mesh.json;
    const throwaway = synthMesh(loadMeshFile(join(__dirname, '..', 'examples', 'throwaway-ephemeral.yaml'))).mesh.json;
    const differing = Object.keys(throwaway.resource.kubernetes_manifest).filter(
      // (their metadata names their stacks, which the mesh names: compare what they declare)
      (id) => JSON.stringify({ ...throwaway.resource.kubernetes_manifest[id], '//': undefined }) !== JSON.stringify({ ...demo.resource.kubernetes_manifest[id], '//': undefined }),
    );
    const what = differing.map((id) => `${throwaway.resource.kubernetes_manifest[id].manifest.kind} ${throwaway.resource.kubernetes_manifest[id].manifest.metadata.name}`);
    expect([...new Set(what)].sort()).toEqual(['KafkaNodePool dual-role', 'KafkaTopic lh.doors', 'KafkaTopic lh.sensors', 'KafkaTopic lh.stock']);
    expect(manifests(throwaway, 'KafkaNodePool').map((p) => p.object.spec.storage)).toEqual(demoMesh().regions.map(() => ({ type: 'ephemeral' })));
    expect(manifests(demo, 'KafkaNodePool').map((p) => p.object.spec.storage)).toEqual(demoMesh().regions.map(() => ({ type: 'persistent-claim', size: '10Gi', deleteClaim: true })));
    expect(manifests(throwaway, 'KafkaTopic').map((t) => t.object.spec.replicas)).not.toContain(1);
  });

  test('per-region topic config overrides reach only that region', () => {
    const mesh = demoMesh();
    const eu = { ...mesh, regions: mesh.regions.map((r) => (r.name === 'europe' ? { ...r, topicConfig: { 'LH.ORDERS': { 'retention.ms': '3600000' } } } : r)) };
    const { mesh: m } = synthMesh(eu);
    expect(manifestOf(m.json, 'KafkaTopic', 'europe', 'lh.orders').object.spec.config).toEqual({ 'min.insync.replicas': '1', 'retention.bytes': '100000000', 'retention.ms': '3600000' });
    expect(manifestOf(m.json, 'KafkaTopic', 'north-america', 'lh.orders').object.spec.config).not.toHaveProperty('retention.ms');
  });

  test('PodMonitors are an option, one per region', () => {
    const mesh = demoMesh();
    const { mesh: m } = synthMesh({ ...mesh, metrics: { enabled: true, podMonitors: true } });
    const monitors = manifests(m.json, 'PodMonitor');
    expect(monitors.map((p) => p.object.metadata.namespace)).toEqual(expect.arrayContaining(mesh.regions.map((r) => r.name)));
    expect(monitors[0].object.spec.podMetricsEndpoints).toEqual([{ port: 'tcp-prometheus', path: '/metrics' }]);
  });

  test('metrics and the web UI can be turned off', () => {
    const mesh = demoMesh();
    const { mesh: m } = synthMesh({ ...mesh, metrics: { enabled: false, podMonitors: false }, ui: { ...mesh.ui, enabled: false } });
    const kafka = manifestOf(m.json, 'Kafka', 'europe', 'europe');
    expect(kafka.object.spec.kafka.metricsConfig).toBeUndefined();
    expect(kafka.object.spec.kafkaExporter).toBeUndefined();
    expect(m.json.resource.helm_release).toBeUndefined();
    expect(m.json.terraform.required_providers.helm).toBeUndefined();
    expect(manifests(m.json, 'KafkaUser').map((u) => u.object.metadata.name)).not.toContain('kafka-ui');
  });

  test('mirrorMaker.wan sizes the fetches: a near, slow link keeps Kafka\'s fetch sizes; a far, fast one raises both; copies may stay uncompressed', () => {
    const mesh = demoMesh();
    const configs = (wan: { roundTripMs: number; throughputMBps: number }, copyCompression: 'none' | 'lz4' = 'lz4') =>
      manifests(synthMesh({ ...mesh, mirrorMaker: { ...mesh.mirrorMaker, wan, copyCompression } }).mesh.json, 'KafkaMirrorMaker2').flatMap((mm2) => mm2.object.spec.mirrors.map((x: any) => x.sourceConnector.config));
    // 20 ms at 10 MB/s: 200 kB in flight, twice that is under 1 MiB: Kafka's default stays, nothing is written
    for (const c of configs({ roundTripMs: 20, throughputMBps: 10 }, 'none')) {
      expect(c).not.toHaveProperty('consumer.max.partition.fetch.bytes');
      expect(c).not.toHaveProperty('producer.override.compression.type');
      expect(c['consumer.receive.buffer.bytes']).toBe('-1');
    }
    // 1000 ms at 100 MB/s: 100 MB in flight; 200 MB rounded up to MiB (191 MiB) for both fetch sizes
    for (const c of configs({ roundTripMs: 1000, throughputMBps: 100 })) {
      expect(c).toMatchObject({ 'consumer.max.partition.fetch.bytes': String(191 * 1024 * 1024), 'consumer.fetch.max.bytes': String(191 * 1024 * 1024), 'producer.override.compression.type': 'lz4' });
    }
  });

  test('apps can be turned off: no Deployments, no producer or consumer users', () => {
    const mesh = demoMesh();
    const { mesh: m } = synthMesh({ ...mesh, apps: { ...mesh.apps, enabled: false } });
    expect(manifests(m.json, 'Deployment')).toHaveLength(0);
    expect(manifests(m.json, 'KafkaUser').map((u) => u.object.metadata.name)).not.toContain('producer');
  });
});

function nameOfAlias(mesh: Mesh, alias: string): string {
  return mesh.regions.find((r) => r.alias === alias)!.name;
}
