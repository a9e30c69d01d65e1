#!/usr/bin/env bash
# The demo consumer: one subscription (a regex) to the canonical topic and its copies from every other region,
# logging topic, partition, offset, timestamp and value of every order (ConsumeOrders.java).
#
# Environment: BOOTSTRAP_SERVERS, SUBSCRIPTION (Java regex, full match), GROUP_ID [required];
#   client-config.sh's variables; KAFKA_HOME [/opt/kafka]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/client-config.sh"
: "${BOOTSTRAP_SERVERS:?BOOTSTRAP_SERVERS is required}"
: "${SUBSCRIPTION:?SUBSCRIPTION is required}"
: "${GROUP_ID:?GROUP_ID is required}"
export CLIENT_CONFIG
CLIENT_CONFIG=$(mktemp)
write_client_config "$CLIENT_CONFIG"
kafka_home=${KAFKA_HOME:-/opt/kafka}

# ConsumeOrders.java runs as a single-file source program, which needs the JDK's compiler module. Should the
# image's Java lack it, fall back to the console consumer, which prints everything but the topic.
if java --list-modules 2>/dev/null | grep -q '^jdk.compiler@'; then
  exec java -Xmx128m -cp "$kafka_home/libs/*" "$here/ConsumeOrders.java"
fi
echo "jdk.compiler is missing from this image's Java: falling back to kafka-console-consumer (no topic column)" >&2
exec "$kafka_home/bin/kafka-console-consumer.sh" \
  --bootstrap-server "$BOOTSTRAP_SERVERS" \
  --include "$SUBSCRIPTION" \
  --group "$GROUP_ID" \
  --command-config "$CLIENT_CONFIG" \
  --command-property metadata.max.age.ms=30000 \
  --formatter-property print.timestamp=true \
  --formatter-property print.partition=true \
  --formatter-property print.offset=true
