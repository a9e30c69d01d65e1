/**
 * Who may do what, per region: the KafkaUsers of a region and their least-privilege ACLs, as pure data.
 *
 * Every client authenticates with SCRAM-SHA-512 over TLS, and the brokers run the simple authorizer, so anything
 * not granted here is refused.
 */
import { COPY_SEPARATOR, Mesh, Region } from './model';
import { APPS, MIRROR_MAKER, MIRROR_SOURCE_USER, UI, USERS } from './names';

export type AclOperation = 'Read' | 'Write' | 'Create' | 'Describe' | 'Alter' | 'AlterConfigs' | 'DescribeConfigs';

export interface AclRule {
  /** A cluster resource has no name or pattern type. */
  readonly resource: { readonly type: 'topic' | 'group' | 'cluster'; readonly name?: string; readonly patternType?: 'literal' | 'prefix' };
  readonly operations: readonly AclOperation[];
}

/** A KafkaUser of a region: its name (also its Secret's name), why it exists, and its ACLs. */
export interface UserSpec {
  readonly name: string;
  readonly purpose: string;
  readonly acls: readonly AclRule[];
}

const topic = (name: string, patternType: 'literal' | 'prefix', operations: AclOperation[]): AclRule => ({
  resource: { type: 'topic', name, patternType },
  operations,
});
const group = (name: string, operations: AclOperation[]): AclRule => ({
  resource: { type: 'group', name, patternType: 'literal' },
  operations,
});

/** The region's own MirrorMaker 2 in its target role: Kafka Connect's storage, offset-syncs and the copies. */
export function mirrorMakerUser(mesh: Mesh, region: Region): UserSpec {
  const others = mesh.regions.filter((r) => r.name !== region.name);
  return {
    name: USERS.mirrorMaker,
    purpose: `MirrorMaker 2 of ${region.name}: writes the copies from ${others.map((o) => o.name).join(', ')} into ${region.name}`,
    acls: [
      // Kafka Connect's group and its config, offset and status topics (MirrorMaker 2 runs on Kafka Connect).
      group(MIRROR_MAKER.groupId, ['Read']),
      ...[MIRROR_MAKER.configStorageTopic, MIRROR_MAKER.offsetStorageTopic, MIRROR_MAKER.statusStorageTopic].map((t) =>
        topic(t, 'literal', ['Create', 'Describe', 'DescribeConfigs', 'Read', 'Write']),
      ),
      // offset-syncs.topic.location=target: the mm2-offset-syncs.<sourceAlias>.internal topics live here.
      topic(MIRROR_MAKER.offsetSyncsTopicPrefix, 'prefix', ['Create', 'Describe', 'DescribeConfigs', 'Read', 'Write']),
      // The copies: created, written, grown (new partitions) and kept in config sync with their canonical topic.
      ...others.map((o) =>
        topic(o.alias + COPY_SEPARATOR, 'prefix', ['Create', 'Describe', 'DescribeConfigs', 'Write', 'Alter', 'AlterConfigs']),
      ),
    ],
  };
}

/** The user the other regions' MirrorMaker 2s read this region's canonical topics with (source role): read-only. */
export function mirrorSourceUser(mesh: Mesh, region: Region): UserSpec {
  const readers = mesh.regions.filter((r) => r.name !== region.name);
  return {
    name: MIRROR_SOURCE_USER,
    purpose: `MirrorMaker 2 of ${readers.map((r) => r.name).join(', ')}: read the canonical topics`,
    // DescribeConfigs lets sync.topic.configs copy each canonical topic's config onto its copies.
    acls: mesh.topics.map((t) => topic(t.name, 'literal', ['Read', 'Describe', 'DescribeConfigs'])),
  };
}

/** The demo producer: writes the app topic only. */
export function producerUser(mesh: Mesh): UserSpec {
  return {
    name: USERS.producer,
    purpose: `demo producer: writes ${mesh.apps.topic}`,
    acls: [topic(mesh.apps.topic, 'literal', ['Write', 'Describe'])],
  };
}

/** The demo consumer: reads the app topic and its copy from every other region, in its own group. */
export function consumerUser(mesh: Mesh, region: Region): UserSpec {
  const others = mesh.regions.filter((r) => r.name !== region.name);
  return {
    name: USERS.consumer,
    purpose: `demo consumer: reads ${mesh.apps.topic} and its copies`,
    acls: [
      topic(mesh.apps.topic, 'literal', ['Read', 'Describe']),
      ...others.map((o) => topic(o.alias + COPY_SEPARATOR + mesh.apps.topic, 'literal', ['Read', 'Describe'])),
      group(APPS.consumerGroup, ['Read']),
    ],
  };
}

/** The web UI: sees everything, changes nothing (no Write, Create, Alter or Delete anywhere). */
export function uiUser(): UserSpec {
  return {
    name: UI.user,
    purpose: 'web UI: read-only view of topics, messages, consumer groups and configs',
    acls: [
      topic('*', 'literal', ['Read', 'Describe', 'DescribeConfigs']),
      group('*', ['Describe']),
      { resource: { type: 'cluster' }, operations: ['Describe', 'DescribeConfigs'] },
    ],
  };
}

/** Every KafkaUser of a region's cluster, in a stable order. */
export function regionUsers(mesh: Mesh, region: Region): UserSpec[] {
  return [
    mirrorMakerUser(mesh, region),
    mirrorSourceUser(mesh, region),
    ...(mesh.apps.enabled ? [producerUser(mesh), consumerUser(mesh, region)] : []),
    ...(mesh.ui.enabled ? [uiUser()] : []),
  ];
}
