#!/usr/bin/env python3
"""Write Avro records to a Kafka topic with confluent-kafka's own AvroSerializer (Confluent framing,
schemas registered under the topic's subjects), for hand checks and for the tests of avro_consume.py.

    avro_produce.py TOPIC --value-schema SCHEMA_JSON [--key-schema SCHEMA_JSON] < records.jsonl

Each stdin line is {"key": ..., "value": ...}; a null value is written as a tombstone (no Avro), a
missing or null key as no key. Values go to fastavro as parsed from JSON, so this suits schemas
without bytes or logical types. Prints the schema ids it used on stdout as one JSON line:
{"key_schema_id": N|null, "value_schema_id": N}. Settings as for avro_consume.py.
"""

import argparse
import json
import struct
import sys

from confluent_kafka import Producer
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from avro_consume import bootstrap_servers, connect_registry


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topic")
    parser.add_argument("--value-schema", required=True)
    parser.add_argument("--key-schema")
    args = parser.parse_args()

    registry = connect_registry("avro_produce")
    conf = {"subject.name.strategy.type": "TOPIC"}
    values = AvroSerializer(registry, args.value_schema, conf=conf)
    keys = AvroSerializer(registry, args.key_schema, conf=conf) if args.key_schema else None
    producer = Producer({"bootstrap.servers": bootstrap_servers(), "enable.idempotence": True})

    ids = {"key_schema_id": None, "value_schema_id": None}
    failures = []

    def delivered(err, _msg):
        if err is not None:
            failures.append(err)

    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        record = json.loads(line)
        key, value = record.get("key"), record.get("value")
        raw_key = None
        if key is not None:
            if keys is None:
                sys.exit(f"avro_produce: line {n} has a key but no --key-schema was given")
            raw_key = keys(key, SerializationContext(args.topic, MessageField.KEY))
            ids["key_schema_id"] = struct.unpack(">I", raw_key[1:5])[0]
        raw_value = None
        if value is not None:
            raw_value = values(value, SerializationContext(args.topic, MessageField.VALUE))
            ids["value_schema_id"] = struct.unpack(">I", raw_value[1:5])[0]
        producer.produce(args.topic, key=raw_key, value=raw_value, on_delivery=delivered)
    left = producer.flush(30)
    if left or failures:
        sys.exit(f"avro_produce: {left} records undelivered, errors: {failures}")
    print(json.dumps(ids))


if __name__ == "__main__":
    main()
