/**
 * npm run bench:wan — the synthesized mesh replicating over slow, long links (prints figures; not a test).
 *
 * The demo mesh on the Kafka tier (real brokers, real MirrorMaker 2 with the synthesized connector configs, the link
 * emulator between each MirrorMaker 2 and its remote sources). One source region (BENCH_SOURCE, default europe)
 * produces; its links to the other regions are measured, one row per region pair. MirrorMaker 2's periodic work runs
 * at its synthesized 600 s (npm run bench:wan sets KAFKA_TIER_INTERVAL_SECONDS), so idle traffic is a deployment's.
 *
 *  1. Bytes across regions: BENCH_WAN_ORDERS (default 100) orders from the demo's own generator (apps/orders.sh, with
 *     the source's producer Deployment's region code and warehouses), sent with the producer app's client settings
 *     (apps/produce.sh, as kafka-console-producer configures its producer) and each codec of BENCH_WAN_CODECS, once one
 *     order per batch (10 per second, far above linger.ms: what the demo's one order every 10 s produces) and once all
 *     in one burst; the link emulator counts the bytes that cross; the idle traffic, measured before, is subtracted
 *     and shown apart. (The console producer itself is not used for this: its JVM starts after orders.sh has printed
 *     the first orders, which would then share a batch.)
 *  2. Per variant of the MirrorMaker 2 settings (BENCH_WAN_VARIANTS, default "synthesized,kafka-defaults"): its idle
 *     traffic, then per offered load (BENCH_WAN_LOADS, default 1,5,20 MB/s of 1 KiB order events, 1 MB = 10^6 bytes)
 *     and round trip (BENCH_WAN_RTTS, default 0,100,250 ms; jitter BENCH_WAN_JITTER_MS per direction, default 5, when
 *     not 0; BENCH_WAN_RATE_KBPS caps each direction, default none), BENCH_WAN_REPEATS runs (default 2) of
 *     BENCH_WAN_SECONDS (default 10) each, the round trips of one load back to back in alternating order: per link the
 *     rate the copy was written at (copies / first-to-last receipt), the bytes on the wire, the replication latency
 *     p50/p99 (send at the source to receipt from the copy, every event of the run), the lag when the producer
 *     stopped and how long the copy took to catch up. Variants other than the synthesized one run the highest load at
 *     the lowest and highest round trip only. Then, at the lowest and highest round trip, a backlog of
 *     BENCH_WAN_BACKLOG events (default 250,000; 0: none) produced while the mirrors are paused and copied when they
 *     resume: the link's throughput when it is the bottleneck, not the producer. Then one run at BENCH_WAN_SCALED_RTT ms (default 2000; 0: none) and
 *     BENCH_WAN_SCALED_MBPS (default 3) of uncompressed events: the bandwidth-delay product of 250 ms at 24 MB/s, a
 *     rate this machine cannot produce, to show what the fetch sizes do.
 *
 * Variants: "synthesized" = the connector configs the stack synthesizes; "kafka-defaults" = the same without the
 * settings the stack adds for long links (WAN_KEYS: Kafka's defaults for them; the brokers' socket.send.buffer.bytes
 * stays -1, which loopback would not show anyway); "tuned" = synthesized plus BENCH_WAN_TUNING (JSON of connector
 * config keys). Variants switch live, as a changed KafkaMirrorMaker2 would: PUT of the connector configs, tasks
 * restart. The last line is the headline for the synthesized settings at the highest load, the worse of the links.
 */
import * as os from 'os';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { INTERVAL_SECONDS } from '../src/local';
import { LinkBytes, symmetricLink } from '../src/link';
import { MeshRun, RegionRun, TopicSummary } from '../src/mesh';
import { loadMesh, meshInput } from '../src/synth';
import { log, REPO_ROOT, sleep, waitFor } from '../src/util';

const list = (v: string | undefined, d: string) => (v ?? d).split(',').map((x) => x.trim()).filter(Boolean);
const SECONDS = Number(process.env.BENCH_WAN_SECONDS ?? 10);
const RTTS = list(process.env.BENCH_WAN_RTTS, '0,100,250').map(Number);
const LOADS = list(process.env.BENCH_WAN_LOADS, '1,5,20').map(Number);
const JITTER = Number(process.env.BENCH_WAN_JITTER_MS ?? 5);
const RATE_KBPS = process.env.BENCH_WAN_RATE_KBPS ? Number(process.env.BENCH_WAN_RATE_KBPS) : undefined;
const VARIANTS = list(process.env.BENCH_WAN_VARIANTS, 'synthesized,kafka-defaults');
const ORDERS = Number(process.env.BENCH_WAN_ORDERS ?? 100);
const CODECS = list(process.env.BENCH_WAN_CODECS, 'none,gzip,snappy,lz4,zstd');
const REPEATS = Number(process.env.BENCH_WAN_REPEATS ?? 2);
const SCALED_RTT = Number(process.env.BENCH_WAN_SCALED_RTT ?? 2000);
const SCALED_MBPS = Number(process.env.BENCH_WAN_SCALED_MBPS ?? 3);
const CATCH_UP_MS = 60_000;
const IDLE_SECONDS = 10;
const BACKLOG = Number(process.env.BENCH_WAN_BACKLOG ?? 250_000);
const SIZE = 1024;
const MB = 1e6;

/** The settings the stack adds to each MirrorSourceConnector for long links (constructs/mirror-maker.ts). */
const WAN_KEYS = ['consumer.max.partition.fetch.bytes', 'consumer.fetch.max.bytes', 'consumer.receive.buffer.bytes', 'consumer.fetch.max.wait.ms', 'producer.override.batch.size', 'producer.override.compression.type'];

interface Row {
  variant: string; rtt: number; load: number; produced: number; link: string;
  throughput: number; wire: number; p50: number; p99: number; lagEvents: number; lagSeconds: number; caughtUp: number | undefined;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`;
}
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' / ');

/** Orders as the region's demo producer makes them: apps/orders.sh with the producer Deployment's region code and warehouses. */
function demoOrders(r: RegionRun, count: number): string[] {
  const env = Object.fromEntries((r.model.deployments.find((d) => d.metadata.name === 'producer')!.spec.template.spec.containers[0].env as any[])
    .filter((e) => typeof e.value === 'string').map((e) => [e.name, e.value]));
  const res = spawnSync('bash', [path.join(REPO_ROOT, 'apps', 'orders.sh')], {
    env: { PATH: process.env.PATH, REGION_CODE: env.REGION_CODE, WAREHOUSES: env.WAREHOUSES, ORDER_INTERVAL_SECONDS: '0', ORDER_COUNT: String(count) }, encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`orders.sh: ${res.stderr}`);
  return res.stdout.trim().split('\n');
}

function delta(a: Map<string, LinkBytes>, b: Map<string, LinkBytes>, name: string): LinkBytes {
  return { upstream: b.get(name)!.upstream - a.get(name)!.upstream, downstream: b.get(name)!.downstream - a.get(name)!.downstream };
}

async function main(): Promise<void> {
  const input = meshInput({});
  const run = new MeshRun(loadMesh(input.files, input.source), 'bench-wan');
  const lines: string[] = [];
  const out = (s: string) => { lines.push(s); log(s); };
  const started = Date.now();
  let headline = '';
  try {
    out(`machine: ${machine()}; load average (1/5/15 min) at start ${load()}`);
    await run.start();
    const src = process.env.BENCH_SOURCE ? run.region(process.env.BENCH_SOURCE) : run.regions.find((r) => r.ns === 'europe') ?? run.regions[0];
    const targets = run.regions.filter((r) => r !== src);
    const topic = src.producer.topic!;
    const copy = `${src.alias}.${topic}`;
    const links = targets.map((t) => run.linkName(src, t));
    const consumerOf = (t: RegionRun) => `${t.ns}/consumer`;
    await run.startConsumers(targets, '', { summary: true });
    const copies = async (reset = false) => {
      const s = new Map<RegionRun, TopicSummary | undefined>();
      for (const t of targets) s.set(t, (await run.consumerSummary(consumerOf(t), reset))[copy]);
      return s;
    };
    out(`source ${src.ns} (${topic}); links ${links.join(', ')}; producer app settings: ${JSON.stringify(run.producerProps(src))
      .replace(/"sasl\.jaas\.config":"[^"]*"/, '"sasl.jaas.config":"..."')}`);

    // ------------------------------------------------------------------ 1. bytes per order of the demo producer
    const i0 = await run.links.bytes();
    await sleep(2 * IDLE_SECONDS * 1000);
    const i1 = await run.links.bytes();
    const idle = new Map(links.map((l) => [l, delta(i0, i1, l).downstream / (2 * IDLE_SECONDS)]));
    const idleBoth = new Map(links.map((l) => [l, (delta(i0, i1, l).downstream + delta(i0, i1, l).upstream) / (2 * IDLE_SECONDS)]));
    out(`idle traffic (no events; MirrorMaker 2 intervals ${INTERVAL_SECONDS} s): ${links.map((l) => `${l} ${idle.get(l)!.toFixed(0)} B/s down, ${(delta(i0, i1, l).upstream / (2 * IDLE_SECONDS)).toFixed(0)} B/s up`).join('; ')}`);
    const orders = demoOrders(src, ORDERS);
    const perOrder: string[] = [];
    for (const codec of CODECS) {
      const cells: number[] = [];
      // one order per batch (the demo: an order every apps.intervalSeconds, 10 s by default, far above linger.ms), then all in a burst
      for (const [shape, rate] of [['one per batch', 10], ['burst', 1e9]] as const) {
        const before = await copies();
        const b0 = await run.links.bytes();
        const t0 = Date.now();
        await run.startProducer(src, `orders-${codec}-${rate}`, { rate, records: orders, extra: { 'compression.type': codec } });
        await waitFor(`${ORDERS} demo orders (${codec}, ${shape}) in every copy`, async () => {
          const now = await copies();
          return targets.every((t) => (now.get(t)?.count ?? 0) - (before.get(t)?.count ?? 0) >= ORDERS);
        }, 120_000, 250);
        const sent = await run.stopProducer(src, `orders-${codec}-${rate}`);
        if (sent.acked !== ORDERS) throw new Error(`${sent.acked} of ${ORDERS} orders acked (${codec}): ${sent.lastError}`);
        await sleep(1000); // the last fetch responses
        const b1 = await run.links.bytes();
        const secs = (Date.now() - t0) / 1000;
        for (const l of links) cells.push((delta(b0, b1, l).downstream - idle.get(l)! * secs) / ORDERS);
      }
      const [single, burst] = [cells.slice(0, links.length), cells.slice(links.length)];
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      perOrder.push(`${codec.padEnd(7)} ${avg(single).toFixed(0).padStart(14)} ${(avg(single) + avg(links.map((l) => idleBoth.get(l)!)) * 10).toFixed(0).padStart(22)} ${avg(burst).toFixed(0).padStart(16)}`);
    }
    const sizes = orders.map((o) => Buffer.byteLength(o));
    out(`bytes crossing a link per demo order (apps/orders.sh, ${ORDERS} orders of ${Math.min(...sizes)}-${Math.max(...sizes)} B; the producer app's client settings with each compression.type; mean of the ${links.length} links, down, idle traffic subtracted; the middle column adds the idle traffic of both directions over the demo's 10 s between orders):`);
    out('codec   one per batch   + idle of 10 s/order   all in one burst');
    for (const l of perOrder) out(l);

    // ------------------------------------------------------------------ 2. throughput and latency per variant, load and round trip
    const synthesized = new Map(targets.map((t) => {
      const c = t.connectors.find((x) => x.sourceAlias === src.alias && x.name.endsWith('MirrorSourceConnector'))!;
      return [t, { name: c.name, config: { ...c.config } }];
    }));
    const variantConfig = (variant: string, base: Record<string, string>): Record<string, string> => {
      if (variant === 'synthesized') return base;
      if (variant === 'kafka-defaults') return Object.fromEntries(Object.entries(base).filter(([k]) => !WAN_KEYS.includes(k)));
      if (variant === 'tuned') return { ...base, ...JSON.parse(process.env.BENCH_WAN_TUNING ?? '{}') };
      throw new Error(`unknown variant ${variant} (synthesized, kafka-defaults, tuned)`);
    };
    const useVariant = async (variant: string) => {
      for (const t of targets) {
        const { name, config } = synthesized.get(t)!;
        const want = variantConfig(variant, config);
        if (JSON.stringify(want) !== JSON.stringify(t.connectors.find((c) => c.name === name)!.config)) await run.updateConnector(t, name, want);
      }
      const cfg = targets[0].connectors.find((c) => c.name === synthesized.get(targets[0])!.name)!.config;
      // what an idle mirror sends and receives (its empty fetches, metadata), with this variant's settings
      for (const l of links) await run.links.set(l, symmetricLink({ rttMs: 0 }));
      await sleep(3000);
      const i0 = await run.links.bytes();
      await sleep(IDLE_SECONDS * 1000);
      const i1 = await run.links.bytes();
      const idleText = links.map((l) => { const d = delta(i0, i1, l); return `${((d.upstream + d.downstream) / IDLE_SECONDS).toFixed(0)} B/s`; }).join(', ');
      out(`variant ${variant}: tasks.max=${cfg['tasks.max']}, ${[...WAN_KEYS, ...Object.keys(JSON.parse(process.env.BENCH_WAN_TUNING ?? '{}')).filter((k) => !WAN_KEYS.includes(k))].map((k) => `${k}=${cfg[k] ?? 'default'}`).join(', ')}; idle links ${idleText} (up + down)`);
    };
    /** One measurement: the source produces `mbps` for `seconds` over links of round trip `rtt`. */
    const cell = async (variant: string, rtt: number, mbps: number, seconds: number, extra: Record<string, string> = {}): Promise<Row[]> => {
      const spec = symmetricLink({ rttMs: rtt, jitterMs: rtt > 0 ? JITTER : 0, rateKBps: RATE_KBPS });
      for (const l of links) await run.links.set(l, spec);
      const rate = (mbps * MB) / SIZE;
      const tag = `${variant}-${rtt}-${mbps}-${Date.now()}`;
      await copies(true);
      const b0 = await run.links.bytes();
      const t0 = Date.now();
      await run.startProducer(src, tag, { rate, count: Math.ceil(rate * seconds), size: SIZE, payload: 'orders', extra });
      await sleep(seconds * 1000);
      const produced = await run.stopProducer(src, tag);
      const t1 = Date.now();
      const [atEnd, b1] = [await copies(), await run.links.bytes()];
      const caught = new Map<RegionRun, number>();
      await waitFor(`${tag}: copies caught up`, async () => {
        const now = await copies();
        for (const t of targets) if (!caught.has(t) && (now.get(t)?.count ?? 0) >= produced.acked) caught.set(t, Date.now() - t1);
        return caught.size === targets.length;
      }, CATCH_UP_MS, 250).catch(() => log(`${tag}: not all copies caught up within ${CATCH_UP_MS / 1000} s`));
      const final = await copies();
      const producedRate = produced.acked / ((t1 - t0) / 1000);
      const measured: Row[] = targets.map((t) => {
        const s = final.get(t);
        const atT1 = atEnd.get(t)?.count ?? 0;
        const window = s && s.last > s.first ? (s.last - s.first) / 1000 : NaN;
        return {
          variant, rtt, load: mbps, produced: (producedRate * SIZE) / MB, link: run.linkName(src, t),
          throughput: s ? (s.count * SIZE) / MB / window : 0,
          wire: delta(b0, b1, run.linkName(src, t)).downstream / MB / ((t1 - t0) / 1000),
          p50: s?.p50 ?? -1, p99: s?.p99 ?? -1,
          lagEvents: produced.acked - atT1, lagSeconds: (produced.acked - atT1) / producedRate,
          caughtUp: caught.get(t),
        };
      });
      for (const r of measured) log(`${variant} ${rtt} ms ${mbps} MB/s ${r.link}: produced ${r.produced.toFixed(2)} MB/s, copied ${r.throughput.toFixed(2)} MB/s, wire ${r.wire.toFixed(2)} MB/s, p50 ${r.p50} p99 ${r.p99} ms, lag ${r.lagEvents}`);
      await sleep(1000);
      return measured;
    };
    /** A backlog of BACKLOG events produced while the mirrors are paused, then copied: the link's throughput when it is the bottleneck. */
    const backlog = async (variant: string, rtt: number): Promise<Row[]> => {
      for (const l of links) await run.links.set(l, symmetricLink({ rttMs: rtt, jitterMs: rtt > 0 ? JITTER : 0, rateKBps: RATE_KBPS }));
      for (const t of targets) await run.pauseConnector(t, synthesized.get(t)!.name, true);
      const tag = `${variant}-${rtt}-backlog-${Date.now()}`;
      await copies(true);
      await run.startProducer(src, tag, { rate: 1e9, count: BACKLOG, size: SIZE, payload: 'orders' });
      await waitFor(`${tag} produced`, async () => { const st = await run.producerStats(src, tag); return st.acked + st.failed >= BACKLOG; }, 300_000, 500);
      const produced = await run.stopProducer(src, tag);
      const b0 = await run.links.bytes();
      await Promise.all(targets.map((t) => run.pauseConnector(t, synthesized.get(t)!.name, false, false)));
      const t0 = Date.now();
      const caught = new Map<RegionRun, number>();
      await waitFor(`${tag}: backlog copied`, async () => {
        const now = await copies();
        for (const t of targets) if (!caught.has(t) && (now.get(t)?.count ?? 0) >= produced.acked) caught.set(t, Date.now() - t0);
        return caught.size === targets.length;
      }, 300_000, 250).catch(() => log(`${tag}: backlog not copied within 300 s`));
      const [final, b1] = [await copies(), await run.links.bytes()];
      const measured = targets.map((t): Row => {
        const s = final.get(t);
        const secs = (caught.get(t) ?? 300_000) / 1000;
        return {
          variant, rtt, load: Infinity, produced: NaN, link: run.linkName(src, t),
          // from the resume (Connect's REST call returned) to the last copy: a first-to-last receipt window would leave out the first fetch
          throughput: ((s?.count ?? 0) * SIZE) / MB / secs,
          wire: delta(b0, b1, run.linkName(src, t)).downstream / MB / secs,
          p50: -1, p99: -1, lagEvents: produced.acked - (s?.count ?? 0), lagSeconds: NaN, caughtUp: caught.get(t),
        };
      });
      for (const r of measured) log(`${variant} ${rtt} ms backlog of ${produced.acked} ${r.link}: copied at ${r.throughput.toFixed(2)} MB/s, wire ${r.wire.toFixed(2)} MB/s, in ${((r.caughtUp ?? NaN) / 1000).toFixed(1)} s`);
      await sleep(1000);
      return measured;
    };
    const rows: Row[] = [];
    // warm-up (JIT, connections, fetch sessions)
    await run.startProducer(src, 'warmup', { rate: 1000, count: 5000, size: SIZE, payload: 'orders' });
    await sleep(6000);
    await run.stopProducer(src, 'warmup');
    await sleep(3000);
    for (const variant of VARIANTS) {
      await useVariant(variant);
      // the round trips of one load back to back, in alternating order per repeat, so that drifts of the machine's load hit all of them alike
      const rtts = variant === 'synthesized' ? RTTS : [Math.min(...RTTS), Math.max(...RTTS)];
      for (const mbps of variant === 'synthesized' ? LOADS : [Math.max(...LOADS)]) {
        for (let rep = 0; rep < REPEATS; rep++) {
          for (const rtt of rep % 2 === 0 ? rtts : [...rtts].reverse()) rows.push(...(await cell(variant, rtt, mbps, SECONDS)));
        }
      }
      // the links' own ceiling: a backlog built while the mirrors are paused, then copied as fast as each link goes
      if (BACKLOG > 0) for (const rtt of [Math.min(...RTTS), Math.max(...RTTS)]) rows.push(...(await backlog(variant, rtt)));
      // the fetch sizes' bound at a scale this machine reaches: SCALED_RTT ms at SCALED_MBPS MB/s of uncompressed events has the
      // bandwidth-delay product of 250 ms at SCALED_MBPS * SCALED_RTT / 250 MB/s
      if (SCALED_RTT > 0) rows.push(...(await cell(variant, SCALED_RTT, SCALED_MBPS, SECONDS, { 'compression.type': 'none' })).map((r) => ({ ...r, variant: `${variant}*` })));
    }
    for (const l of links) await run.links.set(l, symmetricLink({ rttMs: 0 }));

    const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-');
    // repeats of a cell: mean rates, mean p50, the worse p99 and lag
    const keyOf = (r: Row) => `${r.variant}|${r.rtt}|${r.load}|${r.link}`;
    const groups = new Map<string, Row[]>();
    for (const r of rows) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const cells = [...groups.values()].map((g): Row => ({
      ...g[0],
      produced: mean(g.map((r) => r.produced)), throughput: mean(g.map((r) => r.throughput)), wire: mean(g.map((r) => r.wire)),
      p50: Math.round(mean(g.map((r) => r.p50))), p99: Math.max(...g.map((r) => r.p99)),
      lagEvents: Math.max(...g.map((r) => r.lagEvents)), lagSeconds: Math.max(...g.map((r) => r.lagSeconds)),
      caughtUp: g.some((r) => r.caughtUp === undefined) ? undefined : Math.max(...g.map((r) => r.caughtUp!)),
    }));
    cells.sort((a, b) => VARIANTS.indexOf(a.variant.replace('*', '')) - VARIANTS.indexOf(b.variant.replace('*', '')) || Number(a.variant.endsWith('*')) - Number(b.variant.endsWith('*')) || a.load - b.load || a.rtt - b.rtt || a.link.localeCompare(b.link));
    out(`replication over the links (${SECONDS} s per run, ${REPEATS} runs per cell: mean rates and p50, the worse p99 and lag; 1 KiB order events; MB = 10^6 bytes; jitter +/- ${JITTER} ms per direction; link = copies / first-to-last receipt; wire = bytes down the link per second of producing; lag = events not yet in the copy when the producer stopped):`);
    out('variant          rtt ms  offered MB/s  produced MB/s  link                        link MB/s  wire MB/s  p50 ms  p99 ms  lag at end        caught up');
    for (const r of cells) {
      const isBacklog = r.load === Infinity;
      out(`${r.variant.padEnd(16)} ${String(r.rtt).padStart(6)}  ${(isBacklog ? 'backlog' : String(r.load)).padStart(12)}  ${fmt(r.produced).padStart(13)}  ${r.link.padEnd(26)}  ${fmt(r.throughput).padStart(9)}  ${fmt(r.wire).padStart(9)}  ${(isBacklog ? '-' : String(r.p50)).padStart(6)}  ${(isBacklog ? '-' : String(r.p99)).padStart(6)}  ${(isBacklog ? `${BACKLOG} ev` : `${r.lagEvents} ev (${fmt(r.lagSeconds, 1)} s)`).padEnd(16)}  ${r.caughtUp === undefined ? `no (${(isBacklog ? 300_000 : CATCH_UP_MS) / 1000} s)` : `${(r.caughtUp / 1000).toFixed(1)} s`}`);
    }
    if (BACKLOG > 0) {
      out(`backlog: ${BACKLOG} events (${(BACKLOG * SIZE / MB).toFixed(0)} MB) produced while the mirrors were paused, then copied: link MB/s = the backlog / the time from the resume (Connect's REST call returned) to its last copy, which the column "caught up" shows`);
      for (const variant of VARIANTS) {
        const b = (rtt: number, l: string) => cells.find((r) => r.variant === variant && r.load === Infinity && r.rtt === rtt && r.link === l);
        const ratios = links.map((l) => b(Math.max(...RTTS), l) && b(Math.min(...RTTS), l) ? b(Math.max(...RTTS), l)!.throughput / b(Math.min(...RTTS), l)!.throughput : NaN);
        out(`backlog, ${variant}: link throughput ${Math.max(...RTTS)} ms / ${Math.min(...RTTS)} ms = ${ratios.map((x) => fmt(x)).join(', ')} (${links.join(', ')})`);
      }
    }
    if (SCALED_RTT > 0) out(`*: ${SCALED_RTT} ms round trip at ${SCALED_MBPS} MB/s of uncompressed events (one run), the bandwidth-delay product of 250 ms at ${fmt((SCALED_MBPS * SCALED_RTT) / 250, 0)} MB/s: what the fetch sizes must carry per round trip at a rate this machine cannot produce`);
    // the headline: synthesized settings, highest load, the worse of the links
    const top = Math.max(...LOADS);
    const [lo, hi] = [Math.min(...RTTS), Math.max(...RTTS)];
    if (lo === 0 && hi === 250 && VARIANTS.includes('synthesized')) {
      const at = (load: number) => {
        const cellOf = (rtt: number, l: string) => cells.find((r) => r.variant === 'synthesized' && r.rtt === rtt && r.load === load && r.link === l)!;
        return {
          ratio: Math.min(...links.map((l) => cellOf(hi, l).throughput / cellOf(lo, l).throughput)),
          p99: Math.max(...links.map((l) => cellOf(hi, l).p99)),
          produced: Math.min(...RTTS.flatMap((rtt) => links.map((l) => cellOf(rtt, l).produced))),
        };
      };
      const topCell = at(top);
      // the highest offered load this machine produced in full (95 %) at every round trip
      const full = [...LOADS].sort((a, b) => b - a).find((load) => at(load).produced >= 0.95 * load);
      out(`targets at 250 ms, synthesized settings, the worse link: link throughput >= 0.8 of 0 ms's, p99 <= 1250 ms`);
      if (full !== undefined && full !== top) out(`  at ${full} MB/s, the highest load this machine produced in full: throughput 250ms/0ms = ${fmt(at(full).ratio)}, p99 at 250ms = ${at(full).p99} ms`);
      out(`  at ${top} MB/s offered, ${topCell.produced < top * 0.95 ? `more than this machine produces (it produced ${fmt(topCell.produced)} MB/s or more; both cores busy)` : 'produced in full'}: the last line`);
      headline = `wan: throughput 250ms/0ms = ${fmt(topCell.ratio)}, p99 at 250ms = ${topCell.p99} ms`;
    }
    out(`load average (1/5/15 min) at the end ${load()}; ${((Date.now() - started) / 60000).toFixed(1)} min in all`);
  } finally {
    await run.stop();
    process.stdout.write(`\n==== WAN benchmark ====\n${lines.join('\n')}\n${headline ? `${headline}\n` : ''}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
