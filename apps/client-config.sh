#!/usr/bin/env bash
# Writes the Kafka client config of a demo app to the file named by $1: SCRAM-SHA-512 over TLS, trusting the
# region's cluster CA. Sourced by produce.sh and consume.sh.
#
# Environment: KAFKA_USERNAME, KAFKA_PASSWORD (from the KafkaUser's Secret) [required];
#   CA_CERT  PEM file of the cluster CA [required in the cluster; empty = no TLS, for local test brokers only]
write_client_config() {
  local file=$1
  : "${KAFKA_USERNAME:?KAFKA_USERNAME is required}"
  : "${KAFKA_PASSWORD:?KAFKA_PASSWORD is required}"
  local password=${KAFKA_PASSWORD//\\/\\\\}
  password=${password//\"/\\\"}
  {
    if [[ -n "${CA_CERT:-}" ]]; then
      echo "security.protocol=SASL_SSL"
      echo "ssl.truststore.type=PEM"
      echo "ssl.truststore.location=${CA_CERT}"
    else
      echo "security.protocol=SASL_PLAINTEXT"
    fi
    echo "sasl.mechanism=SCRAM-SHA-512"
    echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"${KAFKA_USERNAME}\" password=\"${password}\";"
  } > "$file"
  chmod 600 "$file"
}
