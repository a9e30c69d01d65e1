import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The demo consumer: subscribes with one regex to a canonical topic and its copies, and logs topic, partition,
 * offset, timestamp and value of every record, one line each.
 *
 * Run as a single-file source program with the Kafka client jars on the classpath. Environment:
 * BOOTSTRAP_SERVERS, SUBSCRIPTION (Java regex; Kafka full-matches it against topic names), GROUP_ID,
 * CLIENT_CONFIG (properties file with the security settings).
 */
public class ConsumeOrders {
    public static void main(String[] args) throws IOException {
        Properties props = new Properties();
        try (InputStream in = new FileInputStream(required("CLIENT_CONFIG"))) {
            props.load(in);
        }
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, required("BOOTSTRAP_SERVERS"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, required("GROUP_ID"));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        // A new group starts from the beginning, so no event produced before the consumer started is missed.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Copies appear when MirrorMaker 2 creates them; look for new matching topics every 30 s, not every 5 min.
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "30000");
        Pattern subscription = Pattern.compile(required("SUBSCRIPTION"));

        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            // On SIGTERM: wake the poll loop, and wait until close() has left the group, so the next consumer
            // gets the partitions at once instead of after the session timeout.
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                consumer.wakeup();
                try {
                    main.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            consumer.subscribe(subscription);
            System.out.printf("subscribed to /%s/ at %s as group %s%n", subscription, props.get("bootstrap.servers"), props.get("group.id"));
            try {
                while (true) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                        System.out.printf("topic=%s partition=%d offset=%d timestamp=%s value=%s%n",
                                record.topic(), record.partition(), record.offset(),
                                Instant.ofEpochMilli(record.timestamp()), record.value());
                    }
                    System.out.flush();
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                // shutting down
            }
        }
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            System.err.println(name + " is required");
            System.exit(2);
        }
        return value;
    }
}
