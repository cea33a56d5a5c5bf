#!/usr/bin/python3
"""The reference the benchmark compares Baton's hop with: a plain confluent-kafka worker.

It does what one Baton slice with no I/O does to a job (`worker.benchmarkNoIO`): consume
the job envelope, decode its JSON, spend a retry (`retriesLeft` - 1, `slices` + 1),
re-encode it and republish it to the same topic under the same key with
`baton-retries-left` updated, then commit, in batches, only past messages whose
republished copy the broker acknowledged (acks=all, idempotent producer), as Baton does.
It has none of Baton's bookkeeping (loop guards, lineage, metrics, logs).

Debian's python3-confluent-kafka (librdkafka 2.0.2, the same as Baton's) imports only
under /usr/bin/python3. Prints `assigned <unix time> <partitions>` when the group
assigns it partitions. SIGTERM/SIGINT: finish the batch in hand, commit, leave.
"""
import argparse
import json
import signal
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--batch", type=int, default=500, help="messages per consume call and per commit")
    args = parser.parse_args()

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        # Tansu holds a group join for about half the session timeout (PLATFORM-NOTES).
        "session.timeout.ms": 6000,
        "fetch.wait.max.ms": 100,
    })
    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 1,
    })
    failures = []

    def delivered(error, _message):
        if error is not None:
            failures.append(error)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))

    def assigned(_consumer, partitions):
        print(f"assigned {time.time():.3f} {len(partitions)}", flush=True)

    consumer.subscribe([args.topic], on_assign=assigned)
    while not stopping:
        messages = consumer.consume(num_messages=args.batch, timeout=0.1)
        offsets = {}
        for message in messages:
            if message.error() is not None:
                continue
            job = json.loads(message.value())
            job["retriesLeft"] -= 1
            job["slices"] = job.get("slices", 0) + 1
            headers = [(k, v) for k, v in (message.headers() or []) if k != "baton-retries-left"]
            headers.append(("baton-retries-left", str(job["retriesLeft"]).encode()))
            value = json.dumps(job, separators=(",", ":")).encode()
            while True:
                try:
                    producer.produce(args.topic, key=message.key(), value=value, headers=headers, on_delivery=delivered)
                    break
                except BufferError:
                    producer.poll(0.05)
            offsets[(message.topic(), message.partition())] = message.offset() + 1
        if not offsets:
            continue
        # Commit only past what the broker acknowledged.
        producer.flush()
        if failures:
            print(f"delivery failed: {failures[0]}", file=sys.stderr)
            return 1
        consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in offsets.items()], asynchronous=True)
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
