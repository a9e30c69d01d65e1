/**
 * npm run bench:replication — replication figures of the synthesized mesh on real Kafka and MirrorMaker 2 (prints
 * figures; not a test).
 *
 *  1. Latency per mirror link: the producer app's topic in one region (the source) receives BENCH_RATE events/s
 *     (default 1000) of BENCH_SIZE bytes (default 1024) for BENCH_SECONDS (default 60); every other region's consumer
 *     app (its regex subscription) measures produce timestamp -> receipt for the copy, p50/p99/max per link.
 *  2. Throughput through one link, same run: BENCH_BURST events (default 100000) produced as fast as the producer can;
 *     the direct consumer in the source region and each remote consumer time first -> last receipt; the ratio of a
 *     link's rate to the direct rate is reported.
 *
 * KAFKA_TIER_BENCH_TUNING='{"worker": {...}, "connector": {...}}' layers MirrorMaker 2 settings over the synthesized
 * ones (Connect worker properties / MirrorSourceConnector config) to compare before and after.
 * BENCH_SOURCE=<namespace> picks the source region (default: the first).
 */
import { INTERVAL_SECONDS } from '../src/local';
import { MeshRun, RegionRun } from '../src/mesh';
import { loadMesh, meshInput } from '../src/synth';
import { log, percentile, sleep, waitFor } from '../src/util';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SIZE = Number(process.env.BENCH_SIZE ?? 1024);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const BURST = Number(process.env.BENCH_BURST ?? 100_000);

function resetTallies(run: MeshRun): void {
  for (const t of run.tallies.values()) t.reset();
}

function received(run: MeshRun, r: RegionRun, topic: string): number {
  return run.tallies.get(`${r.ns}/consumer`)!.topics.get(topic) ?? 0;
}

async function main(): Promise<void> {
  const input = meshInput({});
  const run = new MeshRun(loadMesh(input.files, input.source), 'bench');
  if (process.env.KAFKA_TIER_BENCH_TUNING) run.tuning = JSON.parse(process.env.KAFKA_TIER_BENCH_TUNING);
  const lines: string[] = [];
  const out = (s: string) => { lines.push(s); log(s); };
  try {
    await run.start();
    await run.startConsumers();
    const src = process.env.BENCH_SOURCE ? run.region(process.env.BENCH_SOURCE) : run.regions[0];
    const others = run.regions.filter((r) => r !== src);
    const topic = src.producer.topic!;
    const copy = `${src.alias}.${topic}`;
    const sc = src.connectors.find((c) => c.sourceAlias === src.alias) ?? others[0].connectors.find((c) => c.sourceAlias === src.alias)!;
    out(`input: ${run.mesh.source}; source ${src.ns} (${topic}), links ${others.map((r) => `${src.alias}->${r.alias}`).join(', ')}`);
    out(`MirrorSourceConnector settings in use: tasks.max=${sc.config['tasks.max']}, ` +
      ['consumer.fetch.min.bytes', 'consumer.fetch.max.wait.ms', 'consumer.max.poll.records', 'producer.override.linger.ms', 'producer.override.compression.type']
        .map((k) => `${k}=${sc.config[k] ?? 'default'}`).join(', '));
    out(`tuning layered over the synthesized settings: ${JSON.stringify(run.tuning)}`);

    // warm-up (JIT, connections, first fetches)
    await run.startProducer(src, 'warmup', { rate: RATE, count: RATE * 5, size: SIZE });
    await sleep(5_000);
    await run.stopProducer(src, 'warmup');
    await waitFor('warm-up copies', () => others.every((r) => received(run, r, copy) >= RATE * 5), 60_000, 500);
    resetTallies(run);

    // 1. latency at a fixed rate
    log(`latency phase: ${RATE} events/s of ${SIZE} B for ${SECONDS} s into ${src.ns}/${topic}`);
    await run.startProducer(src, 'latency', { rate: RATE, count: RATE * SECONDS, size: SIZE });
    await waitFor('latency phase produced', async () => { const s = await run.producerStats(src, 'latency'); return s.acked + s.failed >= RATE * SECONDS; }, SECONDS * 1000 + 120_000, 1000);
    const lat = await run.stopProducer(src, 'latency');
    await waitFor('latency phase received', () => others.every((r) => received(run, r, copy) >= lat.acked), 180_000, 500).catch((e) => log(String(e)));
    const direct = run.tallies.get(`${src.ns}/consumer`)!.latencies.get(topic) ?? [];
    const row = (name: string, l: number[]) => {
      const s = [...l].sort((a, b) => a - b);
      return `${name.padEnd(34)} n=${String(s.length).padStart(6)}  p50=${String(percentile(s, 50)).padStart(5)} ms  p99=${String(percentile(s, 99)).padStart(5)} ms  max=${String(s[s.length - 1]).padStart(5)} ms`;
    };
    out(`latency, ${RATE} events/s x ${SIZE} B x ${SECONDS} s (acked ${lat.acked}, failed ${lat.failed}):`);
    out(`  ${row(`direct ${src.ns} (no mirror)`, direct)}`);
    for (const r of others) out(`  ${row(`link ${src.alias}->${r.alias}`, run.tallies.get(`${r.ns}/consumer`)!.latencies.get(copy) ?? [])}`);
    resetTallies(run);

    // 2. throughput through one link vs direct, same run, same brokers
    log(`throughput phase: ${BURST} events of ${SIZE} B as fast as possible into ${src.ns}/${topic}`);
    const t0 = Date.now();
    await run.startProducer(src, 'burst', { rate: 1e9, count: BURST, size: SIZE });
    await waitFor('burst produced', async () => { const s = await run.producerStats(src, 'burst'); return s.acked + s.failed >= BURST; }, 600_000, 500);
    const burst = await run.stopProducer(src, 'burst');
    const produceSecs = (Date.now() - t0) / 1000;
    await waitFor('burst received', () => received(run, src, topic) >= burst.acked && others.every((r) => received(run, r, copy) >= burst.acked), 600_000, 500)
      .catch((e) => log(String(e)));
    const w = (r: RegionRun, t: string) => run.tallies.get(`${r.ns}/consumer`)!.window.get(t);
    const rate = (r: RegionRun, t: string) => {
      const x = w(r, t);
      const n = received(run, r, t);
      return x && x.last > x.first ? n / ((x.last - x.first) / 1000) : NaN;
    };
    const directRate = rate(src, topic);
    out(`throughput, ${burst.acked} events x ${SIZE} B (producer: ${(burst.acked / produceSecs).toFixed(0)} events/s incl. start-up):`);
    out(`  direct ${src.ns} consumer: ${directRate.toFixed(0)} events/s (${(directRate * SIZE / 1e6).toFixed(1)} MB/s)`);
    for (const r of others) {
      const lr = rate(r, copy);
      out(`  link ${src.alias}->${r.alias}: ${lr.toFixed(0)} events/s (${(lr * SIZE / 1e6).toFixed(1)} MB/s), ratio to direct ${(lr / directRate).toFixed(2)}; ` +
        `copy complete ${((w(r, copy)!.last - t0) / 1000).toFixed(1)} s after the first send`);
    }
    out(`(MirrorMaker 2 intervals shortened to ${INTERVAL_SECONDS} s as in the tests; one broker per cluster; all JVMs share this machine's CPUs)`);
  } finally {
    await run.stop();
    process.stdout.write(`\n==== replication benchmark ====\n${lines.join('\n')}\n`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
