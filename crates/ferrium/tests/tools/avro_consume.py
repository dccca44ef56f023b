#!/usr/bin/env python3
"""Read Avro records from a Kafka topic the way a Confluent consumer does, and print them as JSON.

The integration tests run this (crates/ferrium/tests/common/avro_reader.rs) to check what Ferrium's
Avro converter writes with a decoder that is not Ferrium's: confluent-kafka's AvroDeserializer and
SchemaRegistryClient, pinned in requirements.txt beside this file, installed by scripts/python-env.sh.

    avro_consume.py TOPIC COUNT [--timeout SECONDS] [--key-format avro|base64|none] [--reader-schema JSON]

It reads every partition of TOPIC from the beginning (assigned, no consumer group offsets, so nothing
is committed; read_committed, so aborted transactions stay hidden) until COUNT records arrived, then
prints them sorted by (partition, offset), one JSON object per line:

    {"partition": 0, "offset": 3, "key": ..., "value": ..., "key_schema_id": 1,
     "value_schema_id": 2, "headers": [["name", "text"], ...]}

Rendering, chosen to be deterministic and plain JSON:
  * Avro bytes and fixed: standard base64 with padding (a JSON string).
  * decimal logical type (Python Decimal): its plain positional text with the schema's scale,
    never an exponent: Decimal("12.30") -> "12.30", Decimal("0E-10") -> "0.0000000000".
  * date: ISO "YYYY-MM-DD"; time-millis/micros: "HH:MM:SS.ffffff"; timestamp-millis/micros
    (timezone-aware, UTC): "YYYY-MM-DDTHH:MM:SS.ffffff+00:00"; local-timestamp-*: the same
    without the offset. Always six fractional digits.
  * uuid logical type: its canonical lower-case text.
  * float/double NaN and infinities: the strings "NaN", "Infinity", "-Infinity" (JSON has none).
  * records and maps: objects; unions: the branch's value alone (no branch name); enums: the symbol.
  * a tombstone (null value): "value": null with "value_schema_id": null; a missing key likewise.
  * key_schema_id / value_schema_id: the id in the Confluent frame (magic byte 0 + 4-byte id), or
    null when the bytes are not so framed (e.g. a schema GUID in the headers, which the
    deserializer also reads).
  * headers: a list of [name, value] pairs in record order; the value as text when it is UTF-8,
    else {"base64": "..."}; null for a null header value.

Settings: FERRIUM_KAFKA_BOOTSTRAP (else 127.0.0.1:$FERRIUM_KAFKA_PORT, else 127.0.0.1:9092) and
FERRIUM_SCHEMA_REGISTRY_URL (else http://127.0.0.1:8081/apis/ccompat/v7), as
`scripts/services.sh env` exports them.

Exit status: 0 when COUNT records were read and decoded; 2 when fewer arrived before the timeout
(those that did are still printed); 3 on a record that does not decode (nothing is printed: the
tests must see the failure, not a partial result); 1 on a usage or connection error.
"""

import argparse
import base64
import datetime
import decimal
import json
import math
import os
import struct
import sys
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def bootstrap_servers():
    if os.environ.get("FERRIUM_KAFKA_BOOTSTRAP"):
        return os.environ["FERRIUM_KAFKA_BOOTSTRAP"]
    return "127.0.0.1:" + os.environ.get("FERRIUM_KAFKA_PORT", "9092")


def registry_url():
    return os.environ.get("FERRIUM_SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081/apis/ccompat/v7")


def b64(data):
    return base64.b64encode(data).decode("ascii")


def render(value):
    """A decoded Avro value as plain JSON (see the module docstring)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, (bytes, bytearray)):
        return b64(bytes(value))
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    # datetime before date: a datetime is also a date
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): render(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [render(v) for v in value]
    raise TypeError(f"no JSON rendering for a decoded {type(value).__name__}: {value!r}")


def framed_schema_id(data):
    """The schema id of Confluent's frame (magic 0, 4-byte big-endian id), None when not so framed."""
    if data is not None and len(data) >= 5 and data[0] == 0:
        return struct.unpack(">I", data[1:5])[0]
    return None


def render_headers(headers):
    out = []
    for name, raw in headers or []:
        if raw is None:
            out.append([name, None])
            continue
        try:
            out.append([name, raw.decode("utf-8")])
        except UnicodeDecodeError:
            out.append([name, {"base64": b64(raw)}])
    return out


def connect_registry(tool):
    """A client of the registry; exits (status 1) with a clear message when it does not answer, so
    that a missing registry is not reported later as a record that "does not decode"."""
    registry = SchemaRegistryClient({"url": registry_url()})
    try:
        registry.get_subjects()
    except Exception as e:  # noqa: BLE001 — the client raises transport and HTTP errors alike
        print(f"{tool}: the schema registry at {registry_url()} does not answer "
              f"({type(e).__name__}: {e}); start it with `scripts/services.sh up registry`", file=sys.stderr)
        sys.exit(1)
    return registry


class DecodeError(Exception):
    pass


def partitions_of(consumer, topic, deadline):
    """The topic's partitions; waits (metadata polls, not sleeps of a guessed length) for the topic."""
    while True:
        left = max(deadline - time.monotonic(), 0.1)
        metadata = consumer.list_topics(topic, timeout=min(left, 5.0))
        described = metadata.topics.get(topic)
        if described is not None and described.error is None and described.partitions:
            return sorted(described.partitions)
        if time.monotonic() >= deadline:
            return None
        # The broker answered "unknown topic" at once; ask again shortly.
        time.sleep(0.2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topic")
    parser.add_argument("count", type=int)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("--key-format", choices=["avro", "base64", "none"], default="avro",
                        help="how keys are written: avro (default), base64 of the raw bytes, or none (not printed)")
    parser.add_argument("--reader-schema", default=None,
                        help="an Avro schema (JSON text) to read values with, as a consumer on a newer schema does;"
                             " by default each value is read with its writer's schema")
    args = parser.parse_args()

    deadline = time.monotonic() + args.timeout
    registry = connect_registry("avro_consume")
    # TOPIC: the subject (only used for rules and reader schemas, which are off) without asking the
    # registry for Confluent 8's topic associations, which Apicurio does not have.
    conf = {"subject.name.strategy.type": "TOPIC"}
    keys = AvroDeserializer(registry, conf=conf)
    values = AvroDeserializer(registry, schema_str=args.reader_schema, conf=conf)

    consumer = Consumer({
        "bootstrap.servers": bootstrap_servers(),
        "group.id": f"ferrium-avro-consume-{os.getpid()}-{time.time_ns()}",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "enable.partition.eof": False,
    })
    try:
        partitions = partitions_of(consumer, args.topic, deadline)
        if partitions is None:
            print(f"avro_consume: topic {args.topic!r} did not appear at {bootstrap_servers()} "
                  f"within {args.timeout}s", file=sys.stderr)
            return 2
        consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])

        records = []
        while len(records) < args.count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            message = consumer.poll(min(left, 1.0))
            if message is None:
                continue
            if message.error():
                if message.error().fatal():
                    raise KafkaException(message.error())
                # passing trouble (a broker restart): librdkafka retries by itself
                print(f"avro_consume: {message.error()} (librdkafka retries)", file=sys.stderr)
                continue
            records.append(decode(message, keys, values, args.key_format))
    except DecodeError as e:
        print(f"avro_consume: {e}", file=sys.stderr)
        return 3
    finally:
        consumer.close()

    records.sort(key=lambda r: (r["partition"], r["offset"]))
    for record in records:
        print(json.dumps(record, sort_keys=False, ensure_ascii=False, allow_nan=False))
    sys.stdout.flush()
    if len(records) < args.count:
        print(f"avro_consume: only {len(records)} of {args.count} records arrived on {args.topic!r} "
              f"within {args.timeout}s", file=sys.stderr)
        return 2
    return 0


def decode(message, keys, values, key_format):
    where = f"{message.topic()}[{message.partition()}]@{message.offset()}"
    headers = message.headers()
    record = {"partition": message.partition(), "offset": message.offset()}
    raw_key, raw_value = message.key(), message.value()

    if key_format == "avro":
        try:
            key = keys(raw_key, SerializationContext(message.topic(), MessageField.KEY, headers))
            record["key"] = render(key)
        except Exception as e:  # noqa: BLE001 — any failure to decode is the finding
            raise DecodeError(f"the key of {where} does not decode ({type(e).__name__}: {e}); "
                              f"bytes (base64): {b64(raw_key) if raw_key is not None else None}") from e
        record["key_schema_id"] = framed_schema_id(raw_key)
    elif key_format == "base64":
        record["key"] = b64(raw_key) if raw_key is not None else None
        record["key_schema_id"] = None

    try:
        value = values(raw_value, SerializationContext(message.topic(), MessageField.VALUE, headers))
        record["value"] = render(value)
    except Exception as e:  # noqa: BLE001
        shown = b64(raw_value[:512]) if raw_value is not None else None
        raise DecodeError(f"the value of {where} does not decode ({type(e).__name__}: {e}); "
                          f"first bytes (base64): {shown}") from e
    record["value_schema_id"] = framed_schema_id(raw_value)
    record["headers"] = render_headers(headers)
    # the documented field order
    order = ["partition", "offset", "key", "value", "key_schema_id", "value_schema_id", "headers"]
    return {name: record[name] for name in order if name in record}


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KafkaException as e:
        print(f"avro_consume: Kafka error: {e}", file=sys.stderr)
        sys.exit(1)
