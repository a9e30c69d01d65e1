/**
 * KAFKA_TIER_LINKS, the links a run starts with (kafka-tier/src/link.ts), and the one address substitution they make:
 * a mirror's remote source through its link, its target local (no Kafka needed).
 */
import { configuredLinks, NO_DELAY, symmetricLink } from '../src/link';
import { localConnectorConfig, makeAddressMap } from '../src/local';

test('a round trip is split evenly over both directions, with the same jitter and cap in each', () => {
  expect(symmetricLink({ rttMs: 250, jitterMs: 5, rateKBps: 12500 })).toEqual({
    upstream: { latencyMs: 125, jitterMs: 5, rateKBps: 12500 },
    downstream: { latencyMs: 125, jitterMs: 5, rateKBps: 12500 },
  });
  expect(symmetricLink({ rttMs: 0 })).toEqual(NO_DELAY);
});

test('KAFKA_TIER_LINKS: a default for every pair, a pair of its own, directions of their own; unset: no delay', () => {
  const links = configuredLinks(JSON.stringify({
    '*': { rttMs: 100 },
    'europe->northamerica': { upstream: { latencyMs: 40 }, downstream: { latencyMs: 60, jitterMs: 3, rateKBps: 1000 } },
  }));
  expect(links('europe->southamerica')).toEqual(symmetricLink({ rttMs: 100 }));
  expect(links('europe->northamerica')).toEqual({ upstream: { latencyMs: 40, jitterMs: 0 }, downstream: { latencyMs: 60, jitterMs: 3, rateKBps: 1000 } });
  expect(configuredLinks(JSON.stringify({ 'a->b': { rttMs: 10 } }))('b->a')).toEqual(NO_DELAY);
  expect(configuredLinks('')('a->b')).toEqual(NO_DELAY); // (undefined would read the environment's KAFKA_TIER_LINKS)
});

test.each([
  ['not JSON', '{rtt: 1}', /KAFKA_TIER_LINKS is not JSON/],
  ['a negative round trip', '{"*": {"rttMs": -1}}', /KAFKA_TIER_LINKS\["\*"\]\.rttMs: must be a number >= 0, got -1/],
  ['a zero bandwidth cap', '{"a->b": {"downstream": {"rateKBps": 0}}}', /KAFKA_TIER_LINKS\["a->b"\]\.downstream\.rateKBps: must be a number >= 1, got 0/],
  ['a latency as text', '{"a->b": {"upstream": {"latencyMs": "40"}}}', /upstream\.latencyMs: must be a number >= 0, got "40"/],
  ['a link that is no object', '{"a->b": 250}', /KAFKA_TIER_LINKS\["a->b"\]: must be an object, got 250/],
])('KAFKA_TIER_LINKS with %s is refused, naming the field', (_what, text, message) => {
  expect(() => configuredLinks(text)).toThrow(message);
});

test("a mirror's source is reached through its link, its target directly", () => {
  const addr = makeAddressMap([{ namespace: 'eu', cluster: 'eu', port: 1001 }, { namespace: 'na', cluster: 'na', port: 1002 }]);
  const out = localConnectorConfig({
    'connector.class': 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
    'source.cluster.bootstrap.servers': 'na-kafka-bootstrap.na.svc:9093',
    'target.cluster.bootstrap.servers': 'eu-kafka-bootstrap.eu.svc:9093',
  }, { addr, sourceAddr: (b) => (b.startsWith('na-') ? '127.0.0.1:2002' : addr(b, 'eu')), namespace: 'eu', where: 'test' });
  expect(out['source.cluster.bootstrap.servers']).toBe('127.0.0.1:2002');
  expect(out['target.cluster.bootstrap.servers']).toBe('127.0.0.1:1001');
});
