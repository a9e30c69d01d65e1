/**
 * The MirrorMaker 2 client settings that depend on the distance between regions, derived from `mirrorMaker.wan`
 * (constructs/mirror-maker.ts writes them, each with its reason; README: "MirrorMaker 2 over long links").
 *
 * The one fact they follow from: a mirror's source consumer has at most one fetch request in flight to each source
 * broker (Kafka 4.3.1, clients' AbstractFetch.prepareFetchRequests: no new fetch to a node with a pending request or
 * with data still buffered), so each source broker sends it at most one fetch response per round trip, and that
 * response carries at most `max.partition.fetch.bytes` of each partition and `fetch.max.bytes` in all. What one
 * round trip must carry at the planned rate is the link's bandwidth-delay product.
 */
import { WanOptions } from './model';

const MiB = 1024 * 1024;

/** Kafka 4.3.1's defaults of the settings derived here (ConsumerConfig, ProducerConfig). */
export const KAFKA_CLIENT_DEFAULTS = {
  maxPartitionFetchBytes: 1 * MiB,
  fetchMaxBytes: 50 * MiB,
  consumerReceiveBufferBytes: 64 * 1024,
  producerBatchSize: 16 * 1024,
} as const;

/** The largest fetch size the settings may derive (the validator refuses a `mirrorMaker.wan` that needs more). */
export const MAX_FETCH_BYTES = 1024 * MiB;

/** Bytes in flight on a link at `throughputMBps` over `roundTripMs`: what one round trip must carry. */
export function bandwidthDelayProduct(wan: WanOptions): number {
  return Math.ceil((wan.throughputMBps * 1e6 * wan.roundTripMs) / 1000);
}

/**
 * The fetch size of a mirror's source consumer: twice the bandwidth-delay product, so that one partition alone can
 * carry the planned rate and a lagging mirror catches up at twice it; rounded up to MiB, never below Kafka's 1 MiB.
 */
export function mirrorFetchBytes(wan: WanOptions): number {
  return Math.max(KAFKA_CLIENT_DEFAULTS.maxPartitionFetchBytes, Math.ceil((2 * bandwidthDelayProduct(wan)) / MiB) * MiB);
}
