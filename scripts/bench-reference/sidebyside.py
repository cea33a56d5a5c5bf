#!/usr/bin/python3
"""Baton side by side with reference implementations, on the same broker in one run.

scripts/bench runs this after baton-bench, against the same private stack (its
`BATON_…` variables in the environment). It starts every party as its own process, so
each one's CPU is its own (/proc), and prints one table with ratios:

  replay   `baton replay --all` copying N records vs a `kcat` consume | produce pipe
  hop      `baton worker` with `worker.benchmarkNoIO` (consume, decode, republish, commit)
           vs hop_worker.py (confluent-kafka) vs a `kcat` pipe, each circulating N jobs
           on a topic of its own; rate from the group's committed offsets
  start    `baton worker` start → partitions assigned (and the reference's)
  birst    one `baton worker` holding N jobs that poll a `baton birst-sim` process
           (memory per waiting job, CPU per poll, the poll rate reached); completion seen
           → outcome acknowledged; SIGTERM with N jobs in flight

/usr/bin/python3 (Debian's python3-confluent-kafka). Nothing is compared with a limit
here except the stated targets, which are printed beside the figures.
"""
import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchsupport import (  # noqa: E402
    Table, cpu_seconds, envelope, log_time, median, process_tree, spawn, stop, wait_for_line,
)
import birstbench  # noqa: E402

PARTITIONS = 4


class Bench:
    def __init__(self, args):
        self.args = args
        self.bootstrap = os.environ["BATON_KAFKA_BOOTSTRAP_SERVERS"]
        self.run_id = uuid.uuid4().hex[:8]
        self.admin = AdminClient({"bootstrap.servers": self.bootstrap})
        self.table = Table()
        self.log_dir = args.log_dir
        self.children = []

    def name(self, what):
        return f"bench-{self.run_id}-{what}"

    def progress(self, line):
        print(f"bench: {line}", file=sys.stderr, flush=True)

    def create_topics(self, names, partitions=PARTITIONS):
        futures = self.admin.create_topics([NewTopic(n, partitions, 1) for n in names])
        for future in futures.values():
            future.result(timeout=20)

    def preload(self, topic, count, stage="upload", retries=1_000_000, birst=None):
        """`count` job envelopes on `topic`, keyed by job id; returns the job ids."""
        producer = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 20, "acks": "all",
                             "queue.buffering.max.messages": 200_000})
        ids = []
        for index in range(count):
            job_id = f"{self.run_id}-{topic[-12:]}-{index}"
            value = json.dumps(envelope(job_id, index, stage, retries, birst(index) if birst else None),
                               separators=(",", ":")).encode()
            while True:
                try:
                    producer.produce(topic, key=job_id.encode(), value=value,
                                     headers=[("baton-retries-left", str(retries).encode())])
                    break
                except BufferError:
                    producer.poll(0.05)
            ids.append(job_id)
        if producer.flush(60) != 0:
            raise RuntimeError(f"preloading {topic}: messages not acknowledged")
        return ids

    def committed(self, group, topic):
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": group, "enable.auto.commit": False})
        try:
            parts = consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)
            return sum(max(tp.offset, 0) for tp in parts)
        finally:
            consumer.close()

    def produced(self, topic):
        """Records on `topic` (sum of high watermarks: on Tansu off by part of a batch at most)."""
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": self.name("watermarks")})
        try:
            return sum(consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(PARTITIONS))
        finally:
            consumer.close()

    def baton_config(self):
        """A configuration file of its own for every `baton worker` here: no routes file, so
        the start-up check reads no bucket; everything else comes as `--set` flags."""
        path = os.path.join(self.log_dir, "baton.yaml")
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write("log:\n  level: info\n")
        return path

    def baton_env(self, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_") or k in (
            "BATON_KAFKA_BOOTSTRAP_SERVERS", "BATON_S3_ENDPOINT", "BATON_S3_REGION", "BATON_S3_ACCESS_KEY_ID",
            "BATON_S3_SECRET_ACCESS_KEY")}
        env.update({"BATON_BIRST_PASSWORD": "baton-dev", "BATON_KAFKA_SESSION_TIMEOUT": "6s"})
        env.update(extra or {})
        return env

    # ---------------------------------------------------------------- replay

    def replay(self):
        count = 10_000 if self.args.quick else 100_000
        reps = 1 if self.args.quick else 3
        source = self.name("replay-src")
        self.create_topics([source])
        self.progress(f"replay: preloading {count} envelopes")
        self.preload(source, count)
        baton_rates, kcat_rates, baton_cpu, kcat_cpu = [], [], [], []
        for rep in range(reps + 1):  # the first of each is a warm-up
            for who in ("kcat", "baton"):
                target = self.name(f"replay-{who}-{rep}")
                self.create_topics([target])
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.monotonic()
                if who == "kcat":
                    pipe = (f"kcat -C -b {self.bootstrap} -t {source} -e -o beginning -q -f '%k\\t%s\\n'"
                            f" | kcat -P -b {self.bootstrap} -t {target} -K '\\t' -X acks=all")
                    result = subprocess.run(["/bin/sh", "-c", pipe], capture_output=True, text=True, timeout=600)
                else:
                    result = subprocess.run(
                        [self.args.baton, "replay", "--from", source, "--to", target, "--all"],
                        capture_output=True, text=True, timeout=600, env=self.baton_env())
                elapsed = time.monotonic() - started
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if result.returncode != 0:
                    raise RuntimeError(f"replay by {who} failed ({result.returncode}): {result.stderr[-800:]}")
                cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
                self.progress(f"replay {who} {'warm-up' if rep == 0 else rep}: {elapsed:.2f} s, cpu {cpu:.2f} s")
                if rep == 0:
                    continue
                (kcat_rates if who == "kcat" else baton_rates).append(count / elapsed)
                (kcat_cpu if who == "kcat" else baton_cpu).append(cpu / count * 1e6)
        section = "A Replay"
        self.table.add(section, f"`baton replay --all`, {count:,} records (~0.6 KB), 4 partitions", "msg/s", baton_rates)
        self.table.add(section, "  CPU per record (baton replay process)", "µs", baton_cpu)
        self.table.add(section, "`kcat -C -e | kcat -P` pipe (raw ceiling: no headers, no decoding)", "msg/s", kcat_rates)
        self.table.add(section, "  CPU per record (both kcat processes)", "µs", kcat_cpu)
        self.table.add(section, "ratio baton replay / kcat pipe (target ≥ 0.5)", "×",
                       [b / k for b, k in zip(baton_rates, kcat_rates)])

    # ---------------------------------------------------------------- hop

    def hop_party(self, who, count, window, windows, level="info"):
        """Starts one party circulating `count` jobs on its own topic; returns rates, CPU
        per hop and the time from start to partitions assigned."""
        topic_prefix = self.name(f"hop-{who}-{level}") + "."
        topic = topic_prefix + "baton.jobs"
        group = self.name(f"hop-{who}-{level}-group")
        self.create_topics([topic, topic_prefix + "baton.jobs.dlq", topic_prefix + "baton.outcomes"])
        self.preload(topic, count)
        log = os.path.join(self.log_dir, f"hop-{who}-{level}.log")
        started_wall = time.time()
        if who == "baton":
            procs = [spawn([self.args.baton, "worker", "--config", self.baton_config(),
                            "--set", f"kafka.groupId={group}",
                            "--set", f"topics.prefix={topic_prefix}",
                            "--set", "worker.benchmarkNoIO=true",
                            "--set", f"worker.concurrency={self.args.hop_concurrency}",
                            "--set", "worker.maxSlices=1000000",
                            "--set", f"log.level={level}",
                            "--set", "birst.username=baton",
                            "--set", f"birst.endpoint={self.birst.endpoint}"]
                           + [arg for setting in self.args.baton_set for arg in ("--set", setting)],
                           env=self.baton_env(), log=log)]
        elif who == "python":
            procs = [spawn(["/usr/bin/python3", os.path.join(os.path.dirname(__file__), "hop_worker.py"),
                            "--bootstrap", self.bootstrap, "--topic", topic, "--group", group], log=log)]
        else:
            pipe = (f"exec kcat -C -b {self.bootstrap} -G {group} -X auto.offset.reset=earliest"
                    f" -X auto.commit.interval.ms=200 -X session.timeout.ms=6000 -q -f '%k\\t%s\\n' {topic}"
                    f" | kcat -P -b {self.bootstrap} -t {topic} -K '\\t' -X acks=all -X linger.ms=1")
            procs = [spawn(["/bin/sh", "-c", pipe], log=log, new_group=True)]
        self.children.extend(procs)
        try:
            assigned = None
            if who == "baton" and level == "info":  # a line logged at info
                line = wait_for_line(log, "partitions assigned", 60, procs[0])
                assigned = log_time(line) - started_wall
            elif who == "python":
                line = wait_for_line(log, "assigned ", 60, procs[0])
                assigned = float(line.split()[1]) - started_wall
            # kcat's pipe commits as it reads, ahead of its producer: count what it wrote.
            done = (lambda: self.produced(topic) - count) if who == "kcat" else (lambda: self.committed(group, topic))
            deadline = time.monotonic() + 60
            while done() <= 0:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"hop {who}: nothing committed within 60 s (log {log})")
                time.sleep(0.2)
            time.sleep(1)  # past the first commits
            rates, cpus = [], []
            pids = process_tree(procs[0].pid)
            perf = None
            if self.args.perf and who == "baton" and level == "info":
                # A sampled profile of the worker over the measured windows (docs/benchmarks.md).
                perf = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-g",
                                         "-p", str(procs[0].pid), "-o", self.args.perf,
                                         "--", "sleep", str(window * windows)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            last_count, last_cpu, last_time = done(), cpu_seconds(pids), time.monotonic()
            for _ in range(windows):
                time.sleep(window)
                now_count, now_cpu, now_time = done(), cpu_seconds(pids), time.monotonic()
                hops = now_count - last_count
                rates.append(hops / (now_time - last_time))
                cpus.append((now_cpu - last_cpu) / hops * 1e6 if hops else float("nan"))
                last_count, last_cpu, last_time = now_count, now_cpu, now_time
            if perf is not None:
                perf.wait(timeout=60)
            self.progress(f"hop {who} ({level}): {median(rates):,.0f} hops/s, {median(cpus):.1f} µs CPU per hop")
            return rates, cpus, assigned
        finally:
            for proc in procs:
                stop(proc)

    def hop(self):
        count = 5_000 if self.args.quick else 20_000
        window, windows = (3, 2) if self.args.quick else (5, 3)
        parties = {}
        chosen = self.args.hop_parties.split(",")
        for who, level in (("kcat", "-"), ("python", "-"), ("baton", "info"), ("baton", "warning")):
            if (who if who != "baton" else f"baton-{level}") not in chosen:
                continue
            parties[(who, level)] = self.hop_party(who, count, window, windows, level if who == "baton" else "info")
        section = "B Hop"
        what = {"kcat": "`kcat` consume | produce pipe (raw ceiling, no decoding, auto-commit)",
                "python": "hop_worker.py: confluent-kafka, decode, retriesLeft − 1, republish, batch commits",
                "baton": "`baton worker`, worker.benchmarkNoIO, concurrency "
                         f"{self.args.hop_concurrency}, logs at "}
        py = parties[("python", "-")][0] if ("python", "-") in parties else None
        for (who, level), (rates, cpus, _) in parties.items():
            label = what[who] + (level if who == "baton" else "")
            self.table.add(section, f"{label}, {count:,} jobs circulating", "hops/s", rates)
            self.table.add(section, "  CPU per hop (its processes)", "µs", cpus)
            if who == "baton" and py is not None:
                self.table.add(section, f"  ratio to hop_worker.py (target ≥ 1.5 at info)", "×",
                               [b / p for b, p in zip(rates, py)])
        section = "C Start"
        for who, level in (("baton", "info"), ("python", "-")):
            if (who, level) not in parties:
                continue
            assigned = parties[(who, level)][2]
            label = "`baton worker` start → partitions assigned (log line)" if who == "baton" else \
                "hop_worker.py start → partitions assigned (on_assign)"
            self.table.add(section, label + ", session.timeout 6 s", "s", [assigned])

    # ---------------------------------------------------------------- main

    def run(self):
        selected = self.args.only.split(",") if self.args.only else ["replay", "hop", "birst"]
        failures = []
        self.birst = birstbench.Simulator(self.args.baton, self.log_dir)
        self.children.append(self.birst.start(time_scale=1))
        try:
            for name, body in (("replay", self.replay), ("hop", self.hop),
                               ("birst", lambda: birstbench.run(self))):
                if name not in selected:
                    continue
                self.progress(f"— {name}")
                try:
                    body()
                except Exception as error:  # reported after the table; the others still run
                    self.progress(f"{name} FAILED: {error}")
                    failures.append(f"{name}: {error}")
        finally:
            for child in self.children:
                stop(child)
        load = open("/proc/loadavg").read().split()[:3]
        print(f"Side by side (one broker, one run), load after: {' '.join(load)}")
        print(self.table.render())
        if failures:
            print("FAILED:\n" + "\n".join("  " + f for f in failures))
            return 1
        return 0


def main():
    # SIGTERM (scripts/bench stopping) unwinds like Ctrl-C, so every child is stopped.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    parser = argparse.ArgumentParser(description="Baton side by side with kcat and a confluent-kafka worker.")
    parser.add_argument("--baton", required=True, help="the release `baton` executable")
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke run")
    parser.add_argument("--only", help="some of: replay, hop, birst")
    parser.add_argument("--log-dir", default="/tmp")
    parser.add_argument("--hop-concurrency", type=int, default=256)
    parser.add_argument("--hop-parties", default="kcat,python,baton-info,baton-warning",
                        help="hop: which parties run (some of kcat, python, baton-info, baton-warning)")
    parser.add_argument("--baton-set", action="append", default=[], metavar="KEY=VALUE",
                        help="hop: one more --set for the baton worker (repeatable), for trying settings")
    parser.add_argument("--perf", metavar="FILE",
                        help="hop: record a sampled profile (perf record -g) of the baton worker at info into FILE")
    parser.add_argument("--jobs", help="birst: comma-separated job counts held by one worker (default 1000,5000,10000; at most worker.concurrency's limit, 20,000; 0: only the completion → outcome latency)")
    args = parser.parse_args()
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
