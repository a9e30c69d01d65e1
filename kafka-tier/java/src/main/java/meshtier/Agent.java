package meshtier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Client agent of the kafka tier: one JVM that runs every Kafka client the harness needs (admin, event producers,
 * event consumers), each with the properties the harness hands it (so each connects as its own user).
 *
 * Protocol: one JSON object per line on stdin ({"id": n, "op": "...", ...}); one JSON object per line on stdout:
 * replies {"id": n, "ok": true, ...} / {"id": n, "ok": false, "error": "...", "errorClass": "..."} and events
 * {"ev": "...", ...}. Logging goes to stderr.
 */
public final class Agent {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "agent-worker");
        t.setDaemon(true);
        return t;
    });
    private static final Map<String, Admin> ADMINS = new ConcurrentHashMap<>();
    private static final Map<String, EventProducer> PRODUCERS = new ConcurrentHashMap<>();
    private static final Map<String, EventConsumer> CONSUMERS = new ConcurrentHashMap<>();

    private Agent() { }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        emit(JSON.createObjectNode().put("ev", "ready"));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            JsonNode cmd = JSON.readTree(line);
            POOL.submit(() -> handle(cmd));
        }
        shutdown();
    }

    static void emit(ObjectNode node) {
        String s;
        try {
            s = JSON.writeValueAsString(node);
        } catch (Exception e) {
            s = "{\"ev\":\"error\",\"error\":\"serialization\"}";
        }
        synchronized (OUT) {
            OUT.println(s);
            OUT.flush();
        }
    }

    private static void handle(JsonNode cmd) {
        long id = cmd.path("id").asLong(-1);
        ObjectNode reply = JSON.createObjectNode();
        reply.put("id", id);
        try {
            run(cmd.path("op").asText(), cmd, reply);
            reply.put("ok", true);
        } catch (Throwable t) {
            Throwable root = t;
            while ((root instanceof java.util.concurrent.ExecutionException || root instanceof java.util.concurrent.CompletionException) && root.getCause() != null) {
                root = root.getCause();
            }
            reply.put("ok", false);
            reply.put("errorClass", root.getClass().getName());
            // the message with its causes, e.g. "... error state <- ClusterAuthorizationException: ..."
            StringBuilder msg = new StringBuilder(String.valueOf(root.getMessage()));
            for (Throwable c = root.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                msg.append(" <- ").append(c.getClass().getName()).append(": ").append(c.getMessage());
            }
            reply.put("error", msg.toString());
        }
        emit(reply);
    }

    private static Properties props(JsonNode node) {
        Properties p = new Properties();
        node.fields().forEachRemaining(e -> p.put(e.getKey(), e.getValue().asText()));
        return p;
    }

    private static Admin admin(JsonNode cmd) {
        JsonNode p = cmd.path("props");
        String key = p.toString();
        return ADMINS.computeIfAbsent(key, k -> {
            Properties props = props(p);
            props.putIfAbsent("request.timeout.ms", "15000");
            props.putIfAbsent("default.api.timeout.ms", "30000");
            return Admin.create(props);
        });
    }

    private static final long T = 30;

    @SuppressWarnings("checkstyle:CyclomaticComplexity")
    private static void run(String op, JsonNode cmd, ObjectNode reply) throws Exception {
        switch (op) {
            case "ping" -> reply.put("pong", true);
            case "topics.create" -> {
                List<NewTopic> topics = new ArrayList<>();
                for (JsonNode t : cmd.path("topics")) {
                    Map<String, String> cfg = new HashMap<>();
                    t.path("config").fields().forEachRemaining(e -> cfg.put(e.getKey(), e.getValue().asText()));
                    int partitions = t.path("partitions").asInt(-1);
                    int replicas = t.path("replicas").asInt(-1);
                    topics.add(new NewTopic(t.path("name").asText(),
                            partitions > 0 ? java.util.Optional.of(partitions) : java.util.Optional.empty(),
                            replicas > 0 ? java.util.Optional.of((short) replicas) : java.util.Optional.empty()).configs(cfg));
                }
                admin(cmd).createTopics(topics).all().get(T, TimeUnit.SECONDS);
            }
            case "topics.list" -> {
                Set<String> names = admin(cmd).listTopics(new ListTopicsOptions().listInternal(true)).names().get(T, TimeUnit.SECONDS);
                ArrayNode arr = reply.putArray("topics");
                names.stream().sorted().forEach(arr::add);
            }
            case "topics.describe" -> {
                List<String> names = new ArrayList<>();
                cmd.path("topics").forEach(n -> names.add(n.asText()));
                Admin a = admin(cmd);
                Map<String, TopicDescription> d = a.describeTopics(names).allTopicNames().get(T, TimeUnit.SECONDS);
                List<ConfigResource> res = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
                Map<ConfigResource, Config> cfgs = a.describeConfigs(res).all().get(T, TimeUnit.SECONDS);
                ObjectNode out = reply.putObject("topics");
                for (String n : names) {
                    ObjectNode t = out.putObject(n);
                    t.put("partitions", d.get(n).partitions().size());
                    t.put("replicas", d.get(n).partitions().get(0).replicas().size());
                    ObjectNode c = t.putObject("config");
                    for (ConfigEntry e : cfgs.get(new ConfigResource(ConfigResource.Type.TOPIC, n)).entries()) {
                        if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) c.put(e.name(), e.value());
                    }
                }
            }
            case "topics.alterConfig" -> {
                Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
                List<AlterConfigOp> list = new ArrayList<>();
                cmd.path("set").fields().forEachRemaining(e -> list.add(new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue().asText()), AlterConfigOp.OpType.SET)));
                cmd.path("delete").forEach(n -> list.add(new AlterConfigOp(new ConfigEntry(n.asText(), null), AlterConfigOp.OpType.DELETE)));
                ops.put(new ConfigResource(ConfigResource.Type.TOPIC, cmd.path("topic").asText()), list);
                admin(cmd).incrementalAlterConfigs(ops).all().get(T, TimeUnit.SECONDS);
            }
            case "users.upsertScram" -> {
                List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> alts = new ArrayList<>();
                for (JsonNode u : cmd.path("users")) {
                    alts.add(new UserScramCredentialUpsertion(u.path("name").asText(),
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), u.path("password").asText()));
                }
                admin(cmd).alterUserScramCredentials(alts).all().get(T, TimeUnit.SECONDS);
            }
            case "acls.create" -> {
                List<AclBinding> bindings = new ArrayList<>();
                for (JsonNode a : cmd.path("acls")) {
                    ResourceType rt = ResourceType.fromString(a.path("resourceType").asText());
                    PatternType pt = PatternType.fromString(a.path("patternType").asText());
                    AclOperation operation = AclOperation.fromString(a.path("operation").asText());
                    AclPermissionType perm = AclPermissionType.fromString(a.path("permission").asText("ALLOW"));
                    if (rt == ResourceType.UNKNOWN || pt == PatternType.UNKNOWN || operation == AclOperation.UNKNOWN || perm == AclPermissionType.UNKNOWN) {
                        throw new IllegalArgumentException("ACL with an unknown enum value: " + a);
                    }
                    bindings.add(new AclBinding(new ResourcePattern(rt, a.path("name").asText(), pt),
                            new AccessControlEntry(a.path("principal").asText(), a.path("host").asText("*"), operation, perm)));
                }
                admin(cmd).createAcls(bindings).all().get(T, TimeUnit.SECONDS);
            }
            case "producer.start" -> {
                EventProducer p = new EventProducer(cmd);
                if (PRODUCERS.putIfAbsent(p.name, p) != null) throw new IllegalStateException("producer exists: " + p.name);
                p.start();
            }
            case "producer.stop" -> {
                EventProducer p = PRODUCERS.remove(cmd.path("name").asText());
                if (p == null) throw new IllegalStateException("no producer " + cmd.path("name").asText());
                p.stop(cmd.path("flush").asBoolean(true));
                p.report(reply);
            }
            case "producer.stats" -> {
                EventProducer p = PRODUCERS.get(cmd.path("name").asText());
                if (p == null) throw new IllegalStateException("no producer " + cmd.path("name").asText());
                p.stats(reply);
            }
            case "producer.pause" -> PRODUCERS.get(cmd.path("name").asText()).paused.set(cmd.path("paused").asBoolean(true));
            case "consumer.start" -> {
                EventConsumer c = new EventConsumer(cmd);
                if (CONSUMERS.putIfAbsent(c.name, c) != null) throw new IllegalStateException("consumer exists: " + c.name);
                c.start();
            }
            case "consumer.summary" -> {
                EventConsumer c = CONSUMERS.get(cmd.path("name").asText());
                if (c == null) throw new IllegalStateException("no consumer " + cmd.path("name").asText());
                c.report(reply, cmd.path("reset").asBoolean(false));
            }
            case "consumer.stop" -> {
                EventConsumer c = CONSUMERS.remove(cmd.path("name").asText());
                if (c != null) c.stop();
            }
            case "probe.produce" -> {
                // one synchronous send; the reply's error says whether the broker refused it
                Properties p = props(cmd.path("props"));
                p.put("key.serializer", ByteArraySerializer.class.getName());
                p.put("value.serializer", ByteArraySerializer.class.getName());
                p.putIfAbsent("max.block.ms", "10000");
                p.putIfAbsent("delivery.timeout.ms", "10000");
                p.putIfAbsent("request.timeout.ms", "5000");
                try (KafkaProducer<byte[], byte[]> prod = new KafkaProducer<>(p)) {
                    prod.send(new ProducerRecord<>(cmd.path("topic").asText(), "probe".getBytes(StandardCharsets.UTF_8))).get(15, TimeUnit.SECONDS);
                }
            }
            case "probe.consume" -> {
                Properties p = props(cmd.path("props"));
                p.put("key.deserializer", ByteArrayDeserializer.class.getName());
                p.put("value.deserializer", ByteArrayDeserializer.class.getName());
                try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                    c.subscribe(List.of(cmd.path("topic").asText()));
                    long end = System.currentTimeMillis() + 10000;
                    while (System.currentTimeMillis() < end) {
                        c.poll(Duration.ofMillis(200));
                        if (!c.assignment().isEmpty()) break;
                    }
                    reply.put("assigned", c.assignment().size());
                }
            }
            case "audit.count" -> {
                Properties p = props(cmd.path("props"));
                p.put("key.deserializer", ByteArrayDeserializer.class.getName());
                p.put("value.deserializer", ByteArrayDeserializer.class.getName());
                p.put("enable.auto.commit", "false");
                ObjectNode out = reply.putObject("topics");
                try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                    for (JsonNode tn : cmd.path("topics")) {
                        String topic = tn.asText();
                        List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                                .map(pi -> new TopicPartition(topic, pi.partition())).toList();
                        c.assign(parts);
                        c.seekToBeginning(parts);
                        Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
                        long records = 0;
                        Set<String> ids = new java.util.HashSet<>();
                        long deadline = System.currentTimeMillis() + 120_000;
                        while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("audit of " + topic + " timed out");
                            for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(500))) {
                                try {
                                    String id = JSON.readTree(rec.value()).path("id").asText(null);
                                    if (id != null) {
                                        records++;
                                        ids.add(id);
                                    }
                                } catch (Exception e) {
                                    // not an event (e.g. an ACL probe record)
                                }
                            }
                        }
                        out.putObject(topic).put("records", records).put("distinct", ids.size());
                    }
                }
            }
            case "shutdown" -> {
                POOL.submit(() -> {
                    shutdown();
                    System.exit(0);
                });
            }
            default -> throw new IllegalArgumentException("unknown op " + op);
        }
    }

    static void shutdown() {
        PRODUCERS.values().forEach(p -> p.stop(false));
        CONSUMERS.values().forEach(EventConsumer::stop);
        ADMINS.values().forEach(a -> a.close(Duration.ofSeconds(2)));
    }

    /** Produces demo events: key = id, JSON value with a unique "id", the region, a sequence and the send time. */
    static final class EventProducer {
        final String name;
        final String topic;
        final String region;
        final Properties props;
        final double rate;
        final long count;
        final List<byte[][]> given = new ArrayList<>();
        final int size;
        /** "pad": the event padded with 'x' to size; "orders": padded with random order lines (compresses like real JSON). */
        final String payload;
        final java.util.Random random = new java.util.Random();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicBoolean paused = new AtomicBoolean(false);
        final AtomicLong sent = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final List<Long> ackedSeqs = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile String lastError;
        volatile String firstError;
        Thread thread;
        KafkaProducer<byte[], byte[]> producer;

        EventProducer(JsonNode cmd) {
            name = cmd.path("name").asText();
            topic = cmd.path("topic").asText();
            region = cmd.path("region").asText();
            props = props(cmd.path("props"));
            props.put("key.serializer", ByteArraySerializer.class.getName());
            props.put("value.serializer", ByteArraySerializer.class.getName());
            rate = cmd.path("rate").asDouble(10);
            size = cmd.path("size").asInt(0);
            payload = cmd.path("payload").asText("pad");
            // given records ("<key>\t<value>" lines, as the demo's orders.sh prints them) instead of generated events
            for (JsonNode line : cmd.path("records")) {
                String text = line.asText();
                int tab = text.indexOf('\t');
                given.add(new byte[][] {text.substring(0, Math.max(0, tab)).getBytes(StandardCharsets.UTF_8), text.substring(tab + 1).getBytes(StandardCharsets.UTF_8)});
            }
            count = given.isEmpty() ? cmd.path("count").asLong(Long.MAX_VALUE) : given.size();
        }

        void start() {
            producer = new KafkaProducer<>(props);
            thread = new Thread(this::loop, "producer-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            long startNs = System.nanoTime();
            long seq = 0;
            long pausedNs = 0;
            StringBuilder pad = new StringBuilder();
            while (running.get() && seq < count) {
                if (paused.get()) {
                    long p0 = System.nanoTime();
                    sleepQuiet(50);
                    pausedNs += System.nanoTime() - p0;
                    continue;
                }
                long due = startNs + pausedNs + (long) (seq * 1e9 / rate);
                long now = System.nanoTime();
                if (due > now) {
                    long waitNs = due - now;
                    if (waitNs > 2_000_000) sleepQuiet(waitNs / 1_000_000 - 1);
                    else if (waitNs > 0) java.util.concurrent.locks.LockSupport.parkNanos(waitNs);
                    continue;
                }
                final long s = seq++;
                String id = region + ":" + name + ":" + s;
                long ts = System.currentTimeMillis();
                byte[] value;
                byte[] key = id.getBytes(StandardCharsets.UTF_8);
                if (!given.isEmpty()) {
                    key = given.get((int) s)[0];
                    value = given.get((int) s)[1];
                } else if ("orders".equals(payload)) {
                    value = orderEvent(id, s, ts, pad);
                } else {
                    String base = "{\"id\":\"" + id + "\",\"region\":\"" + region + "\",\"seq\":" + s + ",\"ts\":" + ts
                            + ",\"description\":\"M Blue Bootcut Jeans\",\"quantity\":" + (1 + s % 9) + ",\"pad\":\"";
                    pad.setLength(0);
                    for (int i = base.length() + 2; i < size; i++) pad.append('x');
                    value = (base + pad + "\"}").getBytes(StandardCharsets.UTF_8);
                }
                sent.incrementAndGet();
                try {
                    producer.send(new ProducerRecord<>(topic, key, value), (md, e) -> {
                        if (e == null) {
                            acked.incrementAndGet();
                            ackedSeqs.add(s);
                        } else {
                            failed.incrementAndGet();
                            String err = e.getClass().getSimpleName() + ": " + e.getMessage();
                            if (firstError == null) firstError = err;
                            lastError = err;
                        }
                    });
                } catch (Exception e) {
                    failed.incrementAndGet();
                    lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
            }
        }

        private static final String[] FIRST = {"Alfredo", "Maria", "Jan", "Sofia", "Liam", "Ana", "Noah", "Emma", "Lucas", "Chloe", "Mateo", "Lea"};
        private static final String[] LAST = {"Walker", "Silva", "Janssen", "Garcia", "Smith", "Rossi", "Costa", "Dubois", "Lopez", "Peeters"};
        private static final String[] SIZES = {"XS", "S", "M", "L", "XL", "XXL"};
        private static final String[] COLOURS = {"Blue", "Black", "Grey", "White", "Indigo", "Stonewash", "Khaki"};
        private static final String[] STYLES = {"Bootcut", "Skinny", "Straight", "Relaxed", "Slim", "Flared", "Tapered"};
        private static final String[] PRODUCTS = {"Jeans", "Shorts", "Jacket", "Skirt", "Dungarees"};
        private static final String[] WAREHOUSES = {"Antwerp", "Rotterdam", "Dusseldorf", "Brussels", "Hamburg", "Atlanta", "Lima"};

        private String pick(String[] a) {
            return a[random.nextInt(a.length)];
        }

        /** An order as the demo's orders.sh writes them (random customer, ids, price, warehouse), with order lines up to `size` bytes. */
        private byte[] orderEvent(String id, long s, long ts, StringBuilder b) {
            b.setLength(0);
            b.append("{\"id\":\"").append(id).append("\",\"region\":\"").append(region).append("\",\"seq\":").append(s).append(",\"ts\":").append(ts)
                    .append(",\"customer\":\"").append(pick(FIRST)).append(' ').append(pick(LAST))
                    .append("\",\"customerid\":\"").append(java.util.UUID.randomUUID()).append("\",\"lines\":[");
            boolean first = true;
            do {
                if (!first) b.append(',');
                first = false;
                b.append("{\"description\":\"").append(pick(SIZES)).append(' ').append(pick(COLOURS)).append(' ').append(pick(STYLES)).append(' ').append(pick(PRODUCTS))
                        .append("\",\"price\":").append(10 + random.nextInt(90)).append('.').append(10 + random.nextInt(90))
                        .append(",\"quantity\":").append(1 + random.nextInt(10)).append(",\"warehouse\":\"").append(pick(WAREHOUSES))
                        .append("\",\"sku\":\"").append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36)).append("\"}");
            } while (b.length() + 150 < size);
            b.append("],\"pad\":\"");
            while (b.length() + 3 < size) b.append((char) ('a' + random.nextInt(26)));
            b.append("\"}");
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }

        void stop(boolean flush) {
            running.set(false);
            try {
                if (thread != null) thread.join(10000);
                if (producer != null) {
                    if (flush) producer.flush();
                    producer.close(Duration.ofSeconds(flush ? 30 : 1));
                }
            } catch (Exception e) {
                lastError = e.toString();
            }
        }

        void stats(ObjectNode reply) {
            reply.put("sent", sent.get());
            reply.put("acked", acked.get());
            reply.put("failed", failed.get());
            if (lastError != null) reply.put("lastError", lastError);
            if (firstError != null) reply.put("firstError", firstError);
        }

        void report(ObjectNode reply) {
            stats(reply);
            ArrayNode arr = reply.putArray("ackedSeqs");
            synchronized (ackedSeqs) {
                ackedSeqs.stream().sorted().forEach(arr::add);
            }
        }
    }

    /** Subscribes with a regex (like kafka-console-consumer --include) and reports every record it receives. */
    static final class EventConsumer {
        final String name;
        final Pattern pattern;
        final Properties props;
        /** Keep per-topic counts and latencies here instead of reporting every record (for high rates). */
        final boolean summary;
        final Map<String, TopicSummary> summaries = new ConcurrentHashMap<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        KafkaConsumer<byte[], byte[]> consumer;
        Thread thread;

        EventConsumer(JsonNode cmd) {
            name = cmd.path("name").asText();
            pattern = Pattern.compile(cmd.path("regex").asText());
            summary = cmd.path("summary").asBoolean(false);
            props = props(cmd.path("props"));
            props.put("key.deserializer", ByteArrayDeserializer.class.getName());
            props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        }

        void start() {
            consumer = new KafkaConsumer<>(props);
            thread = new Thread(this::loop, "consumer-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        private void emitAssignment() {
            ObjectNode ev = JSON.createObjectNode().put("ev", "assignment").put("name", name);
            ArrayNode arr = ev.putArray("partitions");
            consumer.assignment().forEach(tp -> arr.add(tp.topic() + "/" + tp.partition()));
            emit(ev);
        }

        private void loop() {
            try {
                consumer.subscribe(pattern, new ConsumerRebalanceListener() {
                    @Override public void onPartitionsRevoked(Collection<TopicPartition> parts) { }
                    @Override public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                        emitAssignment();
                    }
                });
                while (running.get()) {
                    ConsumerRecords<byte[], byte[]> recs = consumer.poll(Duration.ofMillis(200));
                    if (recs.isEmpty()) continue;
                    long now = System.currentTimeMillis();
                    if (summary) {
                        for (ConsumerRecord<byte[], byte[]> r : recs) summaries.computeIfAbsent(r.topic(), t -> new TopicSummary()).add(sendTime(r.value()), now);
                        continue;
                    }
                    ObjectNode ev = JSON.createObjectNode().put("ev", "records").put("name", name);
                    ArrayNode arr = ev.putArray("r");
                    for (ConsumerRecord<byte[], byte[]> r : recs) {
                        ArrayNode rec = arr.addArray();
                        rec.add(r.topic());
                        String id = null;
                        long ts = -1;
                        try {
                            JsonNode v = JSON.readTree(r.value());
                            id = v.path("id").asText(null);
                            ts = v.path("ts").asLong(-1);
                        } catch (Exception e) {
                            // not a harness event
                        }
                        rec.add(id);
                        rec.add(ts);
                        rec.add(now);
                    }
                    emit(ev);
                }
            } catch (WakeupException e) {
                // stopping
            } catch (Exception e) {
                emit(JSON.createObjectNode().put("ev", "consumerError").put("name", name).put("error", e.toString()));
            } finally {
                try {
                    consumer.close(Duration.ofSeconds(5));
                } catch (Exception ignored) {
                    // closing anyway
                }
            }
        }

        /** The send time ("ts") of a harness event, read without parsing the whole value; -1 if there is none. */
        static long sendTime(byte[] v) {
            int n = v.length;
            for (int i = 0; i + 5 < n; i++) {
                if (v[i] == '"' && v[i + 1] == 't' && v[i + 2] == 's' && v[i + 3] == '"' && v[i + 4] == ':') {
                    long ts = 0;
                    int j = i + 5;
                    while (j < n && v[j] >= '0' && v[j] <= '9') ts = ts * 10 + (v[j++] - '0');
                    return j > i + 5 ? ts : -1;
                }
            }
            return -1;
        }

        void report(ObjectNode reply, boolean reset) {
            ObjectNode out = reply.putObject("topics");
            for (Map.Entry<String, TopicSummary> e : summaries.entrySet()) e.getValue().report(out.putObject(e.getKey()));
            if (reset) summaries.clear();
        }

        void stop() {
            running.set(false);
            consumer.wakeup();
            try {
                thread.join(10000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Records of one topic received by a summary consumer: count, first and last receipt, send-to-receipt latencies. */
    static final class TopicSummary {
        long count;
        long first = Long.MAX_VALUE;
        long last;
        int[] latencies = new int[1024];
        int n;

        synchronized void add(long ts, long now) {
            count++;
            first = Math.min(first, now);
            last = Math.max(last, now);
            if (ts <= 0) return;
            if (n == latencies.length) latencies = java.util.Arrays.copyOf(latencies, n * 2);
            latencies[n++] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, now - ts));
        }

        synchronized void report(ObjectNode o) {
            int[] l = java.util.Arrays.copyOf(latencies, n);
            java.util.Arrays.sort(l);
            o.put("count", count).put("first", first == Long.MAX_VALUE ? 0 : first).put("last", last).put("latencies", n);
            for (int p : new int[] {50, 90, 99}) o.put("p" + p, n == 0 ? -1 : l[Math.min(n - 1, Math.max(0, (int) Math.ceil(p / 100.0 * n) - 1))]);
            o.put("max", n == 0 ? -1 : l[n - 1]);
        }
    }

    static void sleepQuiet(long ms) {
        try {
            Thread.sleep(Math.max(0, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
