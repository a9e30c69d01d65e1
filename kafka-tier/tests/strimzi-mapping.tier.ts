/**
 * The operator mappings of kafka-tier/src/strimzi.ts on a small KafkaMirrorMaker2 and KafkaUser (no Kafka needed):
 * what Strimzi 1.2.0 generates, checked key by key.
 */
import { connectWorkerProperties, mirrorConnectors, userAcls } from '../src/strimzi';
import type { Manifest } from '../src/synth';

const mm2: Manifest = {
  apiVersion: 'kafka.strimzi.io/v1',
  kind: 'KafkaMirrorMaker2',
  metadata: { name: 'mm', namespace: 'eu' },
  spec: {
    replicas: 1,
    target: {
      alias: 'europe', bootstrapServers: 'eu-kafka-bootstrap.eu.svc:9093', groupId: 'g', configStorageTopic: 'c', offsetStorageTopic: 'o', statusStorageTopic: 's',
      tls: { trustedCertificates: [{ secretName: 'eu-cluster-ca-cert', certificate: 'ca.crt' }] },
      authentication: { type: 'scram-sha-512', username: 'mm2', passwordSecret: { secretName: 'mm2', password: 'password' } },
      config: { 'config.storage.replication.factor': 3, 'ssl.truststore.location': '/nope', 'ssl.protocol': 'TLSv1.3', 'bootstrap.servers': 'x:1' },
    },
    mirrors: [{
      source: {
        alias: 'na', bootstrapServers: 'na-kafka-bootstrap.na.svc:9093',
        authentication: { type: 'scram-sha-512', username: 'mirror-source', passwordSecret: { secretName: 'mirror-sources', password: 'na.password' } },
        config: { 'consumer.fetch.max.wait.ms': 100 },
      },
      sourceConnector: { tasksMax: 2, config: { 'replication.factor': 3, 'tasks.max': 9, name: 'x' } },
      topicsPattern: 'LH\\.ORDERS|LH\\.DOORS',
      topicsExcludePattern: 'LH\\.DOORS',
    }],
  },
};

test('connectors: names, cluster settings with secret placeholders, patterns, tasks.max, class', () => {
  const [c, ...rest] = mirrorConnectors(mm2);
  expect(rest).toEqual([]);
  expect(c.name).toBe('na->europe.MirrorSourceConnector');
  expect(c.config).toEqual({
    'target.cluster.alias': 'europe',
    // the cluster's own config is prefixed and put last, unfiltered (it even overrides the bootstrap address)
    'target.cluster.bootstrap.servers': 'x:1',
    'target.cluster.ssl.truststore.certificates': '${strimzisecrets:eu/mm-connect-tls-trusted-certs:europe-ca.crt}',
    'target.cluster.ssl.truststore.type': 'PEM',
    'target.cluster.sasl.mechanism': 'SCRAM-SHA-512',
    'target.cluster.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="mm2" password="${strimzisecrets:eu/mm2:password}";',
    'target.cluster.security.protocol': 'SASL_SSL',
    'target.cluster.config.storage.replication.factor': '3',
    'target.cluster.ssl.truststore.location': '/nope',
    'target.cluster.ssl.protocol': 'TLSv1.3',
    'source.cluster.alias': 'na',
    'source.cluster.bootstrap.servers': 'na-kafka-bootstrap.na.svc:9093',
    'source.cluster.sasl.mechanism': 'SCRAM-SHA-512',
    'source.cluster.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="mirror-source" password="${strimzisecrets:eu/mirror-sources:na.password}";',
    'source.cluster.security.protocol': 'SASL_PLAINTEXT',
    'source.cluster.consumer.fetch.max.wait.ms': '100',
    'replication.factor': '3',
    topics: 'LH\\.ORDERS|LH\\.DOORS',
    'topics.exclude': 'LH\\.DOORS',
    'tasks.max': '2',
    'connector.class': 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
  } as Record<string, string>);
});

test('Connect worker: group and storage topics, SASL for worker/producer/consumer/admin, providers, converters, forbidden user keys dropped', () => {
  const p = new Map(connectWorkerProperties(mm2));
  expect(connectWorkerProperties(mm2)[0]).toEqual(['bootstrap.servers', 'eu-kafka-bootstrap.eu.svc:9093']);
  expect(p.get('group.id')).toBe('g');
  expect([p.get('config.storage.topic'), p.get('offset.storage.topic'), p.get('status.storage.topic')]).toEqual(['c', 'o', 's']);
  for (const pre of ['', 'producer.', 'consumer.', 'admin.']) {
    expect(p.get(`${pre}security.protocol`)).toBe('SASL_SSL');
    expect(p.get(`${pre}sasl.mechanism`)).toBe('SCRAM-SHA-512');
    expect(p.get(`${pre}ssl.truststore.certificates`)).toBe('${strimzisecrets:eu/mm-connect-tls-trusted-certs:ca.crt}');
  }
  expect(p.get('config.providers')).toBe('strimzienv,strimzifile,strimzidir,strimzisecrets');
  expect(p.get('key.converter')).toBe('org.apache.kafka.connect.converters.ByteArrayConverter');
  expect(p.get('config.storage.replication.factor')).toBe('3');
  expect(p.get('ssl.protocol')).toBe('TLSv1.3'); // a forbidden prefix's exception
  expect(p.has('ssl.truststore.location')).toBe(false); // forbidden prefix ssl.
  expect(p.get('bootstrap.servers')).toBe('eu-kafka-bootstrap.eu.svc:9093'); // the user's bootstrap.servers is dropped
});

test('KafkaUser ACLs: one binding per operation; cluster named kafka-cluster; prefix -> PREFIXED', () => {
  const user: Manifest = {
    apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaUser', metadata: { name: 'u', namespace: 'eu' },
    spec: { authentication: { type: 'scram-sha-512' }, authorization: { type: 'simple', acls: [
      { resource: { type: 'topic', name: 'na.', patternType: 'prefix' }, operations: ['Write', 'AlterConfigs'] },
      { resource: { type: 'cluster' }, operations: ['IdempotentWrite'] },
      { type: 'deny', resource: { type: 'group', name: 'g' }, operations: ['Read'], host: '10.0.0.1' },
    ] } },
  };
  expect(userAcls(user)).toEqual([
    { principal: 'User:u', resourceType: 'TOPIC', name: 'na.', patternType: 'PREFIXED', operation: 'WRITE', permission: 'ALLOW', host: '*' },
    { principal: 'User:u', resourceType: 'TOPIC', name: 'na.', patternType: 'PREFIXED', operation: 'ALTER_CONFIGS', permission: 'ALLOW', host: '*' },
    { principal: 'User:u', resourceType: 'CLUSTER', name: 'kafka-cluster', patternType: 'LITERAL', operation: 'IDEMPOTENT_WRITE', permission: 'ALLOW', host: '*' },
    { principal: 'User:u', resourceType: 'GROUP', name: 'g', patternType: 'LITERAL', operation: 'READ', permission: 'DENY', host: '10.0.0.1' },
  ]);
});
