#!/usr/bin/env bash
# The demo producer: random orders of this region (orders.sh) written to the region's canonical topic.
#
# Environment: BOOTSTRAP_SERVERS, TOPIC [required]; orders.sh's and client-config.sh's variables;
#   KAFKA_HOME         Kafka distribution with bin/kafka-console-producer.sh  [/opt/kafka]
#   COMPRESSION_CODEC  none, gzip, snappy, lz4 or zstd: every order crosses each inter-region link as produced;
#                      zstd and gzip crossed in the fewest bytes per order, zstd for less CPU (README, "Bytes across
#                      regions"). kafka-console-producer takes the codec from --compression-codec only  [zstd]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/client-config.sh"
: "${BOOTSTRAP_SERVERS:?BOOTSTRAP_SERVERS is required}"
: "${TOPIC:?TOPIC is required}"
config=$(mktemp)
tab=$(printf '\t')
write_client_config "$config"

echo "producing ${REGION_CODE:-?} orders to ${TOPIC} at ${BOOTSTRAP_SERVERS} every ${ORDER_INTERVAL_SECONDS:-10}s" >&2
bash "$here/orders.sh" | "${KAFKA_HOME:-/opt/kafka}/bin/kafka-console-producer.sh" \
  --bootstrap-server "$BOOTSTRAP_SERVERS" \
  --topic "$TOPIC" \
  --command-config "$config" \
  --compression-codec "${COMPRESSION_CODEC:-zstd}" \
  --command-property acks=all \
  --reader-property parse.key=true \
  --reader-property "key.separator=$tab"
