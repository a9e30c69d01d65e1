/**
 * The Kafka tier: the synthesized mesh on real Kafka 4.3.1 brokers and real MirrorMaker 2 (Kafka Connect workers
 * with the connectors Strimzi 1.2.0 generates). Tests of one mesh run in order and share its run.
 */
import { ordersSeen, startDemoApp, stopDemoApp } from '../src/demo-apps';
import { LinkBytes, symmetricLink } from '../src/link';
import { INTERVAL_SECONDS } from '../src/local';
import { MeshRun, Produced, RegionRun } from '../src/mesh';
import { loadMesh, meshInput } from '../src/synth';
import { log, percentile, sleep, waitFor } from '../src/util';

const FOUR_REGION_MESH = '__tests__/fixtures/meshes/four-regions.yaml';

/** Bytes that crossed each link between two readings of the meters. */
function crossed(before: Map<string, LinkBytes>, after: Map<string, LinkBytes>): Map<string, LinkBytes> {
  return new Map([...after].map(([name, b]) => [name, { upstream: b.upstream - (before.get(name)?.upstream ?? 0), downstream: b.downstream - (before.get(name)?.downstream ?? 0) }]));
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

function report(title: string, rows: { consumer: string; missing: number; duplicates: number }[]): void {
  log(`${title}: ${rows.map((r) => `${r.consumer} missing=${r.missing} duplicates=${r.duplicates}`).join('; ')}`);
}

/** Every region's topics: Kafka's own (`__*`) aside, exactly canonical + copies + MirrorMaker 2 internal topics. */
async function expectShape(run: MeshRun): Promise<void> {
  for (const r of run.regions) {
    const have = (await run.listTopics(r)).filter((t) => !t.startsWith('__'));
    const e = run.expectedTopics(r);
    expect({ region: r.ns, topics: [...have].sort() }).toEqual({ region: r.ns, topics: [...e.canonical, ...e.copies, ...e.internal].sort() });
    // no copy of a copy: no topic carries two aliases
    const aliases = run.regions.map((x) => x.alias);
    const twice = have.filter((t) => aliases.some((a) => t.startsWith(`${a}.`) && aliases.some((b) => t.slice(a.length + 1).startsWith(`${b}.`))));
    expect(twice).toEqual([]);
    // each copy has its canonical topic's partition count
    const desc = await run.describeTopics(r, e.copies);
    for (const c of e.copies) {
      const alias = c.slice(0, c.indexOf('.'));
      const src = run.regions.find((x) => x.alias === alias)!;
      const canonical = src.topics.find((t) => t.name === c.slice(alias.length + 1))!;
      expect({ topic: `${r.ns}/${c}`, partitions: desc[c].partitions }).toEqual({ topic: `${r.ns}/${c}`, partitions: canonical.partitions });
    }
  }
}

async function expectDeliveredOnce(run: MeshRun, count: number, rate: number, tag: string): Promise<void> {
  const produced = await run.produceEverywhere(count, rate, tag);
  for (const p of produced) expect({ producer: p.name, acked: p.acked, failed: p.failed }).toEqual({ producer: p.name, acked: count, failed: 0 });
  const res = await run.waitDelivered(produced.flatMap((p) => p.ids), 120_000);
  report(`delivery (${tag}, ${count} events per region)`, res);
  for (const r of res) expect(r).toEqual({ consumer: r.consumer, missing: 0, duplicates: 0 });
}

describe('three-region demo mesh on real Kafka and MirrorMaker 2', () => {
  let run: MeshRun;

  beforeAll(async () => {
    const input = meshInput({});
    run = new MeshRun(loadMesh(input.files, input.source), 'demo');
    await run.start();
  }, 600_000);

  afterAll(async () => {
    await run?.stop();
  }, 180_000);

  test('delivery: every event produced in any region reaches every region\'s consumer exactly once', async () => {
    await run.startConsumers();
    await expectDeliveredOnce(run, 200, 100, 'clean');
  });

  test('shape: canonical topics, one copy per other region, MirrorMaker 2 internal topics, nothing else — also after topic refreshes', async () => {
    await expectShape(run);
    const wait = 3 * INTERVAL_SECONDS + 2;
    log(`waiting ${wait} s: every MirrorSourceConnector refreshes its topics every ${INTERVAL_SECONDS} s`);
    await sleep(wait * 1000);
    await expectShape(run);
  });

  test('config sync: a config change on a canonical topic reaches its copies in every other region', async () => {
    const src = run.regions[run.regions.length - 1];
    const topic = src.topics.find((t) => t.name === src.producer.topic)?.name ?? src.topics[0].name;
    const copy = `${src.alias}.${topic}`;
    const others = run.regions.filter((r) => r !== src);
    // carried at creation: the copies have the canonical topic's synthesized config (minus what MirrorMaker 2 excludes)
    const canonical = src.topics.find((t) => t.name === topic)!;
    for (const r of others) {
      const cfg = (await run.describeTopics(r, [copy]))[copy].config;
      for (const [k, v] of Object.entries(canonical.config)) if (k !== 'min.insync.replicas') expect({ topic: `${r.ns}/${copy}`, [k]: cfg[k] }).toEqual({ topic: `${r.ns}/${copy}`, [k]: v });
    }
    const t0 = Date.now();
    await run.agent.call('topics.alterConfig', { props: run.adminProps(src), topic, set: { 'retention.ms': '4321000', 'retention.bytes': '77777777' } });
    await waitFor(`${copy} config in ${others.map((r) => r.ns).join(', ')}`, async () => {
      for (const r of others) {
        const cfg = (await run.describeTopics(r, [copy]))[copy].config;
        if (cfg['retention.ms'] !== '4321000' || cfg['retention.bytes'] !== '77777777') return false;
      }
      return true;
    }, 10 * INTERVAL_SECONDS * 1000 + 30_000, 1000);
    log(`config change on ${src.ns}/${topic} reached ${copy} in ${others.map((r) => r.ns).join(', ')} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  test('ACLs are enforced by the brokers: attempts outside a user\'s ACLs are refused', async () => {
    const r = run.regions[0];
    const topic = r.producer.topic!;
    const refusals: Record<string, string | undefined> = {};
    // the consumer may read but not write the canonical topic
    refusals['consumer writes canonical topic'] = await run.refusal(() => run.agent.call('probe.produce', { props: run.clientProps(r, r.consumer.user), topic }));
    // the producer may write but not read (no group, no Read)
    refusals['producer reads canonical topic'] = await run.refusal(() => run.agent.call('probe.consume', { props: { ...run.clientProps(r, r.producer.user), 'group.id': r.consumer.group ?? 'probe' }, topic }));
    // a source-role user of another region's MirrorMaker 2 may read, not write
    const sourceRole = r.model.users.map((u) => u.metadata.name).find((u) => u === 'mirror-source');
    if (sourceRole) refusals[`${sourceRole} writes canonical topic`] = await run.refusal(() => run.agent.call('probe.produce', { props: run.clientProps(r, sourceRole), topic }));
    // the producer may not create topics
    refusals['producer creates a topic'] = await run.refusal(() => run.agent.call('topics.create', { props: run.clientProps(r, r.producer.user), topics: [{ name: 'not-allowed', partitions: 1, replicas: 1 }] }));
    // a wrong password is refused at authentication
    refusals['wrong password'] = await run.refusal(() => run.agent.call('probe.produce', { props: run.clientProps(r, r.producer.user, 'wrong-password'), topic }));
    for (const [what, err] of Object.entries(refusals)) log(`ACL check ${r.ns}: ${what}: ${err ?? 'ALLOWED'}`);
    for (const [what, err] of Object.entries(refusals)) expect({ what, refused: !!err }).toEqual({ what, refused: true });
    // an idempotent producer (the default) is refused at InitProducerId (no Write anywhere); without idempotence the topic refuses
    expect(refusals['consumer writes canonical topic']).toMatch(/(Topic|Cluster)AuthorizationException/);
    const plain = await run.refusal(() => run.agent.call('probe.produce', { props: { ...run.clientProps(r, r.consumer.user), 'enable.idempotence': 'false' }, topic }));
    log(`ACL check ${r.ns}: consumer writes canonical topic (non-idempotent producer): ${plain ?? 'ALLOWED'}`);
    expect(plain).toMatch(/TopicAuthorizationException/);
    expect(refusals['wrong password']).toMatch(/SaslAuthenticationException/);
    // and the same users inside their ACLs are served
    expect(await run.refusal(() => run.agent.call('probe.produce', { props: run.clientProps(r, r.producer.user), topic }))).toBeUndefined();
  });

  test('links: every remote byte crosses the emulated link, once; local clients stay local; a delayed link delays only its copies', async () => {
    const src = run.regions[run.regions.length - 1];
    const [near, far] = run.regions.filter((r) => r !== src);
    const copy = `${src.alias}.${src.producer.topic}`;
    const fromSrc = run.regions.filter((r) => r !== src).map((r) => run.linkName(src, r));
    // 1. 5,000 orders of 1 KiB into one region: what crosses its links, and what crosses the others
    const t0 = await run.links.bytes();
    const produced = await run.produceEverywhere(5000, 2500, 'link-bytes', [src], { size: 1024, payload: 'orders' });
    expect(produced[0]).toMatchObject({ acked: 5000, failed: 0 });
    const delivered = await run.waitDelivered(produced[0].ids, 120_000);
    for (const d of delivered) expect(d).toMatchObject({ missing: 0 });
    const mirrored = crossed(t0, await run.links.bytes());
    // 2. local reads of everything (the canonical topic and both copies, from the beginning) add nothing to any link
    const t1 = await run.links.bytes();
    for (const r of run.regions) await run.audit(r, [r === src ? src.producer.topic! : copy]);
    const local = crossed(t1, await run.links.bytes());
    for (const [name, b] of mirrored) log(`link ${name}: ${b.downstream} B down, ${b.upstream} B up while ${src.ns} produced 5,000 x 1 KiB; then ${local.get(name)!.downstream} B down during local reads`);
    const payload = Math.min(...fromSrc.map((n) => mirrored.get(n)!.downstream));
    expect(payload).toBeGreaterThan(5000 * 100); // the records crossed the links from the source ...
    for (const n of fromSrc) expect(mirrored.get(n)!.downstream).toBeLessThan(2 * payload); // ... the same once over each
    // the other links carried only their idle fetches, and the local reads nothing but idle fetches anywhere
    expect([...mirrored].filter(([name, b]) => !fromSrc.includes(name) && b.downstream >= payload / 10).map(([name]) => name)).toEqual([]);
    expect([...local].filter(([, b]) => b.downstream >= payload / 20).map(([name]) => name)).toEqual([]);

    // 3. a 2 s round trip on one link only: its copies arrive at least the one-way delay later than produced; the other's do not wait
    await run.links.set(run.linkName(src, near), symmetricLink({ rttMs: 2000 }));
    try {
      for (const t of run.tallies.values()) t.reset();
      const slow = await run.produceEverywhere(100, 50, 'link-delay', [src]);
      const res = await run.waitDelivered(slow[0].ids, 120_000, [near, far].map((r) => `${r.ns}/consumer`));
      for (const d of res) expect(d).toMatchObject({ missing: 0 });
      const lat = (r: RegionRun) => sorted(run.tallies.get(`${r.ns}/consumer`)!.latencies.get(copy) ?? []);
      const [l1, l2] = [lat(near), lat(far)];
      log(`copy latency with a 2,000 ms round trip on ${run.linkName(src, near)}: min ${l1[0]} p50 ${percentile(l1, 50)} p99 ${percentile(l1, 99)} ms; without, on ${run.linkName(src, far)}: min ${l2[0]} p50 ${percentile(l2, 50)} p99 ${percentile(l2, 99)} ms`);
      expect(l1[0]).toBeGreaterThanOrEqual(1000);
      expect(l2[0]).toBeLessThan(1000);
      expect(percentile(l1, 50) - percentile(l2, 50)).toBeGreaterThanOrEqual(500);
    } finally {
      await run.links.set(run.linkName(src, near), run.linkSpec(run.linkName(src, near)));
    }
  });

  test("MirrorMaker 2's clients and the brokers run with the synthesized settings (the configurations they log)", async () => {
    const checked: string[] = [];
    for (const r of run.regions) {
      const mm2 = r.model.mirrorMakers[0];
      for (const mirror of mm2.spec.mirrors) {
        const cfg: Record<string, unknown> = mirror.sourceConnector.config ?? {};
        const connector = `${mirror.source.alias}->${mm2.spec.target.alias}.MirrorSourceConnector`;
        // the replication consumer of each task (MirrorSourceTask: client.id "<source>-><target>|<connector>-<task>|replication-consumer")
        const consumers = run.loggedConfigs(r.connect!.logFile, 'ConsumerConfig').filter((c) => /^(.*)\|(.*)-\d+\|replication-consumer$/.exec(c['client.id'] ?? '')?.slice(1).join('|') === `${mirror.source.alias}->${mm2.spec.target.alias}|${connector}`);
        // the producer of each task (Connect: client.id "connector-producer-<connector>-<task>")
        const producers = run.loggedConfigs(r.connect!.logFile, 'ProducerConfig').filter((c) => c['client.id']?.startsWith(`connector-producer-${connector}-`));
        // one of each per task (a task restarted by a rebalance logs its clients again, with the same client.id)
        const distinct = (cs: Record<string, string>[]) => new Set(cs.map((c) => c['client.id'])).size;
        expect({ connector, consumers: distinct(consumers), producers: distinct(producers) }).toEqual({ connector, consumers: mirror.sourceConnector.tasksMax, producers: mirror.sourceConnector.tasksMax });
        for (const [key, value] of Object.entries(cfg)) {
          const [clients, name] = key.startsWith('consumer.') ? [consumers, key.slice('consumer.'.length)] : key.startsWith('producer.override.') ? [producers, key.slice('producer.override.'.length)] : [[], ''];
          for (const c of clients) expect({ connector, [name]: c[name] }).toEqual({ connector, [name]: String(value) });
          if (clients.length) checked.push(`${connector} ${name}=${value}`);
        }
      }
      const brokerConfig = run.loggedConfigs(r.broker!.logFile, 'KafkaConfig').pop()!;
      for (const [key, value] of Object.entries(r.model.kafka.spec.kafka.config ?? {})) {
        if (!key.startsWith('socket.')) continue;
        expect({ broker: r.ns, [key]: brokerConfig[key] }).toEqual({ broker: r.ns, [key]: String(value) });
        checked.push(`${r.ns} broker ${key}=${value}`);
      }
    }
    log(`running clients have the synthesized settings: ${[...new Set(checked.map((c) => c.replace(/^\S+ /, '')))].join(', ')} (${checked.length} checks)`);
    expect(checked.length).toBeGreaterThan(0);
  });

  test('region outage: a broker is SIGKILLed and restarted on its old data; survivors keep delivering; nothing is lost', async () => {
    const victim = run.regions[1];
    const survivors = run.regions.filter((r) => r !== victim);
    const survivorConsumers = survivors.map((r) => `${r.ns}/consumer`);
    const rate = 20;
    const all: Produced[] = [];

    all.push(...(await run.produceEverywhere(5 * rate, rate, 'before-outage')));
    await run.killBroker(victim);
    const t0 = Date.now();
    // everyone keeps producing; the victim's producer buffers and retries against its dead broker
    await Promise.all(run.regions.map((r) => run.startProducer(r, 'during-outage', { rate })));
    await sleep(15_000);
    const during = await Promise.all(survivors.map((r) => run.stopProducer(r, 'during-outage')));
    all.push(...during);
    const survivorIds = [...all.filter((p) => p.region !== victim.ns).flatMap((p) => p.ids)];
    const meanwhile = await run.waitDelivered(survivorIds, 60_000, survivorConsumers);
    report(`outage of ${victim.ns}: survivors' events at the survivors (victim still down)`, meanwhile);
    for (const c of meanwhile) expect({ consumer: c.consumer, missing: c.missing }).toEqual({ consumer: c.consumer, missing: 0 });

    await run.startBroker(victim);
    log(`${victim.ns}: restarted on its old data directory and ports after ${((Date.now() - t0) / 1000).toFixed(1)} s down`);
    all.push(...(await run.produceEverywhere(5 * rate, rate, 'after-outage')));
    all.push(await run.stopProducer(victim, 'during-outage'));

    const ids = all.flatMap((p) => p.ids);
    const failed = all.reduce((n, p) => n + p.failed, 0);
    log(`outage run: ${ids.length} events acked by the brokers, ${failed} sends failed (not acked, not expected)`);
    for (const p of all.filter((x) => x.failed)) log(`  ${p.name}: ${p.failed} failed; first error: ${p.firstError}; last: ${p.lastError}`);
    const res = await run.waitDelivered(ids, 240_000);
    report(`outage of ${victim.ns}: after convergence`, res);
    const lost = res.reduce((n, c) => n + c.missing, 0);
    const dups = res.reduce((n, c) => n + c.duplicates, 0);
    log(`outage result: lost events ${lost}, duplicates delivered to consumers ${dups} (MirrorMaker 2 and consumer groups are at-least-once; duplicates are counted, not failed)`);
    // where the duplicates are: in the copies themselves (MirrorMaker 2 re-sending) or only re-deliveries to a group
    for (const r of run.regions) {
      const e = run.expectedTopics(r);
      const topics = [r.producer.topic!, ...e.copies.filter((c) => c.endsWith(`.${r.producer.topic}`))];
      const counts = await run.audit(r, topics);
      log(`outage audit ${r.ns}: ${Object.entries(counts).map(([t, c]) => `${t} records=${c.records} distinct=${c.distinct} duplicates=${c.records - c.distinct}`).join('; ')}`);
    }
    expect(lost).toBe(0);
  });
  test('the synthesized demo apps (their own scripts) deliver every region\'s orders to every region', async () => {
    const ORDERS = 5;
    // the demo consumers use the synthesized group: the tier's consumers of that group leave it first
    for (const r of run.regions) await run.stopConsumer(`${r.ns}/consumer`);
    const consumers = run.regions.map((r) => startDemoApp(run, r, 'consumer'));
    try {
      await waitFor('demo consumers subscribed', () => consumers.every((c) => /subscribed to/.test(c.output())), 90_000, 500);
      const producers = run.regions.map((r) => startDemoApp(run, r, 'producer', { ORDER_INTERVAL_SECONDS: '0.2', ORDER_COUNT: String(ORDERS) }));
      await waitFor('demo producers done', () => producers.every((p) => p.child.exitCode !== null), 120_000, 500);
      for (const p of producers) expect({ producer: p.region, exit: p.child.exitCode }).toEqual({ producer: p.region, exit: 0 });
      const codes = run.regions.map((r) => r.model.deployments.find((d) => d.metadata.name === 'producer')!
        .spec.template.spec.containers[0].env.find((e: any) => e.name === 'REGION_CODE')?.value as string);
      await waitFor('every demo consumer has every region\'s orders', () => consumers.every((c) => {
        const seen = ordersSeen(c.output());
        return codes.every((code) => seen.filter((o) => o.region === code).length >= ORDERS);
      }), 120_000, 1000);
      for (const c of consumers) {
        const seen = ordersSeen(c.output());
        const perRegion = Object.fromEntries(codes.map((code) => [code, seen.filter((o) => o.region === code).length]));
        log(`demo app consumer ${c.region}: ${JSON.stringify(perRegion)} from topics ${[...new Set(seen.map((o) => o.topic))].sort().join(', ')}`);
        expect(perRegion).toEqual(Object.fromEntries(codes.map((code) => [code, ORDERS])));
        expect(new Set(seen.map((o) => o.id)).size).toBe(seen.length);
      }
    } finally {
      await Promise.all(consumers.map(stopDemoApp));
    }
  });
});

describe('four-region mesh on real Kafka and MirrorMaker 2', () => {
  let run: MeshRun;

  beforeAll(async () => {
    const input = meshInput({ meshConfig: FOUR_REGION_MESH });
    run = new MeshRun(loadMesh(input.files, input.source), 'four-regions');
    expect(run.regions.length).toBeGreaterThanOrEqual(4);
    await run.start();
    await run.startConsumers();
  }, 600_000);

  afterAll(async () => {
    await run?.stop();
  }, 180_000);

  test('delivery: every event reaches every region exactly once', async () => {
    await expectDeliveredOnce(run, 100, 100, 'clean');
  });

  test('shape: no copy of a copy, also after topic refreshes', async () => {
    await expectShape(run);
    await sleep((2 * INTERVAL_SECONDS + 2) * 1000);
    await expectShape(run);
  });
});

