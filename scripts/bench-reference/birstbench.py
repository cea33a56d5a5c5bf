"""The side-by-side benchmark's Birst part: one `baton worker` holding N jobs that poll a
`baton birst-sim` process, completion seen → outcome acknowledged, and SIGTERM with N
jobs in flight. Jobs start in `awaitPublish` on publish tokens the simulator issued, so
the worker does exactly what it does for a 40-minute Birst publish: poll every
`birst.pollInterval` within a long slice.
"""
import datetime
import http.client
import json
import os
import re
import time

from benchsupport import cpu_seconds, log_time, percentile, rss_mib, spawn, stop, wait_for_line

POLL_SECONDS = 5


class Simulator:
    """`baton birst-sim` as a process of its own, so its CPU is its own."""

    def __init__(self, baton, log_dir):
        self.baton = baton
        self.log = os.path.join(log_dir, "birst-sim.log")
        self.process = None
        self.endpoint = None

    def start(self, time_scale=1):
        if os.path.exists(self.log):
            os.remove(self.log)  # its first line names the port
        self.process = spawn([self.baton, "birst-sim", "--listen", "127.0.0.1:0", "--time-scale", str(time_scale),
                              "--log-level", "warning", "--max-recorded-calls", "1"], log=self.log)
        line = wait_for_line(self.log, "listening on", 60, self.process)
        self.endpoint = re.search(r"(http://\S+/CommandWebService.asmx)", line).group(1)
        self.port = int(re.search(r":(\d+)/", self.endpoint).group(1))
        return self.process

    def _request(self, method, path, body=None, headers=None, connection=None):
        own = connection is None
        connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheader("Set-Cookie"), response.read()
        finally:
            if own:
                connection.close()

    def soap(self, operation, params, cookie=None, connection=None):
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in params)
        body = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/'
                f'envelope/"><soap:Body><{operation} xmlns="http://www.birst.com/">{fields}</{operation}>'
                '</soap:Body></soap:Envelope>').encode()
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"http://www.birst.com/{operation}"'}
        if cookie:
            headers["Cookie"] = f"BirstAffinity={cookie}"
        status, set_cookie, answer = self._request("POST", "/CommandWebService.asmx", body, headers, connection)
        text = answer.decode()
        result = re.search(rf"<{operation}Result>(.*?)</{operation}Result>", text)
        if status != 200 or result is None:
            raise RuntimeError(f"birst-sim {operation}: HTTP {status}: {text[:300]}")
        server = re.search(r"BirstAffinity=([^;]+)", set_cookie).group(1) if set_cookie else cookie
        return result.group(1), server

    def publish_jobs(self, count, prefix):
        """`count` running publish jobs, one per space: (job token, server) pairs."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        token, server = self.soap("Login", [("username", "baton"), ("password", "baton-dev")], connection=connection)
        date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        jobs = []
        for index in range(count):
            job, _ = self.soap("publishData", [("token", token), ("spaceID", f"{prefix}-{index}"), ("subgroups", ""),
                                               ("date", date)], cookie=server, connection=connection)
            jobs.append((job, server))
        connection.close()
        return jobs

    def set_publish_duration(self, seconds):
        _, _, body = self._request("GET", "/admin/settings")
        settings = json.loads(body)
        settings["publishJob"]["durationSeconds"] = seconds
        status, _, answer = self._request("PUT", "/admin/settings", json.dumps(settings).encode(),
                                          {"Content-Type": "application/json"})
        if status != 200:
            raise RuntimeError(f"birst-sim settings: HTTP {status}: {answer[:300]}")

    def calls(self):
        """Calls answered so far (the newest recorded call's sequence number)."""
        _, _, body = self._request("GET", "/admin/inspect")
        calls = json.loads(body)["calls"]
        return max((c["sequence"] for c in calls), default=0)


def birst_progress(endpoint, token, server):
    # A Netscape cookie line, as curl keeps the affinity cookie in the envelope.
    return {"server": endpoint, "affinityCookie": f"127.0.0.1\tFALSE\t/\tFALSE\t0\tBirstAffinity\t{server}",
            "uploadedBytes": 50_000, "publishToken": token}


def count_lines(path, needle):
    with open(path, errors="replace") as f:
        return sum(1 for line in f if needle in line)


def worker(bench, tag, concurrency, extra_settings, log):
    prefix = bench.name(tag) + "."
    settings = {
        "kafka.groupId": bench.name(tag + "-group"), "topics.prefix": prefix,
        "worker.concurrency": str(concurrency), "worker.sliceBudget": "10m",
        "birst.username": "baton", "birst.endpoint": bench.birst.endpoint,
        "birst.pollInterval": f"{POLL_SECONDS}s", "log.level": "info",
    }
    settings.update(extra_settings)
    arguments = [bench.args.baton, "worker", "--config", bench.baton_config()]
    for key, value in settings.items():
        arguments += ["--set", f"{key}={value}"]
    return spawn(arguments, env=bench.baton_env(), log=log), prefix + "baton.jobs", settings["kafka.groupId"]


def hold(bench, count):
    """One worker holding `count` polling jobs: memory, CPU per poll, poll rate, SIGTERM."""
    sim = bench.birst
    tag = f"hold-{count}"
    prefix = bench.name(tag) + "."
    topic = prefix + "baton.jobs"
    bench.create_topics([topic, prefix + "baton.jobs.dlq", prefix + "baton.outcomes"])
    bench.progress(f"hold {count}: {count} publish jobs in the simulator")
    jobs = sim.publish_jobs(count, bench.name(tag))
    bench.preload(topic, count, stage="awaitPublish", retries=500,
                  birst=lambda i: birst_progress(sim.endpoint, *jobs[i]))
    log = os.path.join(bench.log_dir, f"{tag}-worker.log")
    started = time.monotonic()
    process, _, group = worker(bench, tag, max(count, 64), {}, log)
    bench.children.append(process)
    try:
        deadline = time.monotonic() + 600
        while count_lines(log, '"slice started"') < count:
            if process.poll() is not None:
                raise RuntimeError(f"the worker exited ({process.returncode}); see {log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"not all {count} slices started within 600 s; see {log}")
            time.sleep(1)
        ramp = time.monotonic() - started
        bench.progress(f"hold {count}: all slices in flight after {ramp:.1f} s; settling")
        time.sleep(2 * POLL_SECONDS)
        window = 10 if bench.args.quick else 30
        calls0, worker0, sim0, t0 = sim.calls(), cpu_seconds([process.pid]), cpu_seconds([sim.process.pid]), time.monotonic()
        time.sleep(window)
        calls1, worker1, sim1, t1 = sim.calls(), cpu_seconds([process.pid]), cpu_seconds([sim.process.pid]), time.monotonic()
        polls = calls1 - calls0 - 2  # the two inspections are calls too
        rate = polls / (t1 - t0)
        figures = {
            "count": count, "ramp": ramp, "rate": rate, "expected": count / POLL_SECONDS,
            "worker_cpu_per_poll": (worker1 - worker0) / polls * 1e6 if polls > 0 else float("nan"),
            "sim_cpu_per_poll": (sim1 - sim0) / polls * 1e6 if polls > 0 else float("nan"),
            "worker_cores": (worker1 - worker0) / (t1 - t0), "sim_cores": (sim1 - sim0) / (t1 - t0),
            "rss": rss_mib(process.pid), "peak": rss_mib(process.pid, "VmHWM"),
            "threads": rss_mib(process.pid, "Threads") * 1024,
        }
        bench.progress(f"hold {count}: {rate:,.0f} polls/s of {count / POLL_SECONDS:,.0f}, RSS {figures['rss']:.0f} MiB, "
                       f"worker {figures['worker_cores']:.2f} cores, simulator {figures['sim_cores']:.2f} cores")
        # SIGTERM with every job in flight: each handed on, offsets committed, out within the grace.
        term = time.monotonic()
        process.send_signal(15)
        try:
            status = process.wait(60)
        except Exception:
            stop(process)
            raise RuntimeError(f"the worker did not exit within 60 s of SIGTERM; see {log}")
        figures["term_seconds"] = time.monotonic() - term
        figures["term_status"] = status
        figures["handed_on"] = count_lines(log, '"handoff":"shutdown"')
        figures["committed"] = bench.committed(group, topic)
        bench.progress(f"hold {count}: SIGTERM → exit {status} in {figures['term_seconds']:.2f} s, "
                       f"{figures['handed_on']} handed on, {figures['committed']} committed")
        return figures
    finally:
        stop(process)


def latency(bench):
    """Completion seen (`publish complete`) → outcome acknowledged (`outcome recorded`),
    per job from the worker's own log, including the worker's first outcome."""
    sim = bench.birst
    count = 50 if bench.args.quick else 200
    tag = "latency"
    prefix = bench.name(tag) + "."
    topic = prefix + "baton.jobs"
    bench.create_topics([topic, prefix + "baton.jobs.dlq", prefix + "baton.outcomes"])
    log = os.path.join(bench.log_dir, "latency-worker.log")
    process, _, _ = worker(bench, tag, 256, {"birst.pollInterval": "200ms"}, log)
    bench.children.append(process)
    try:
        wait_for_line(log, "partitions assigned", 60, process)
        sim.set_publish_duration(6)
        jobs = sim.publish_jobs(count, bench.name(tag))
        sim.set_publish_duration(10_000_000)
        bench.preload(topic, count, stage="awaitPublish", retries=500,
                      birst=lambda i: birst_progress(sim.endpoint, *jobs[i]))
        deadline = time.monotonic() + 120
        while count_lines(log, '"outcome recorded"') < count:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"not all {count} outcomes recorded; see {log}")
            time.sleep(0.5)
    finally:
        stop(process)
    seen, recorded = {}, {}
    with open(log, errors="replace") as f:
        for line in f:
            if '"publish complete"' in line or '"outcome recorded"' in line:
                entry = json.loads(line)
                (seen if entry["msg"] == "publish complete" else recorded)[entry["jobId"]] = log_time(line)
    delays = sorted((recorded[j] - seen[j], recorded[j]) for j in recorded if j in seen)
    first = min(delays, key=lambda d: d[1])[0]
    values = [d for d, _ in delays]
    return {"p50": percentile(values, 50) * 1000, "p99": percentile(values, 99) * 1000,
            "max": max(values) * 1000, "first": first * 1000, "n": len(values)}


def run(bench):
    # `--jobs 0`: only the completion → outcome latency, no holding runs.
    counts = [int(c) for c in (bench.args.jobs or ("500" if bench.args.quick else "1000,5000,10000")).split(",") if int(c) > 0]
    bench.birst.set_publish_duration(10_000_000)  # never completes while held
    section = "D Birst"
    try:
        figures = latency(bench)
        bench.table.add(section, f"completion seen → outcome acknowledged p50 ({figures['n']} jobs, from the worker's log)",
                        "ms", [figures["p50"]])
        bench.table.add(section, "  p99 (target ≤ 100 ms)", "ms", [figures["p99"]])
        bench.table.add(section, "  the worker's first outcome after start", "ms", [figures["first"]])
    except Exception as error:
        bench.progress(f"latency FAILED: {error}")
        raise
    held = []
    for count in counts:
        held.append(hold(bench, count))
        bench.birst.set_publish_duration(10_000_000)
    for f in held:
        n = f["count"]
        bench.table.add(section, f"one worker holding {n:,} jobs polling every {POLL_SECONDS} s: RSS", "MiB", [f["rss"]])
        bench.table.add(section, "  poll rate reached (of the configured rate)", "%", [100 * f["rate"] / f["expected"]])
        bench.table.add(section, "  worker CPU per poll", "µs", [f["worker_cpu_per_poll"]])
        bench.table.add(section, "  worker CPU", "cores", [f["worker_cores"]])
        bench.table.add(section, "  simulator CPU per poll (its own process)", "µs", [f["sim_cpu_per_poll"]])
        bench.table.add(section, "  start → every slice in flight", "s", [f["ramp"]])
        bench.table.add(section, "  SIGTERM → exit (shutdownGrace 10 s)", "s", [f["term_seconds"]])
        bench.table.add(section, f"  jobs handed on at SIGTERM (of {n:,}); messages committed", "jobs",
                        [f["handed_on"], f["committed"]])
    if len(held) > 1:
        a, b = held[0], held[-1]
        per_job = (b["rss"] - a["rss"]) * 1024 / (b["count"] - a["count"])
        bench.table.add(section, f"memory per waiting job (RSS slope {a['count']:,} → {b['count']:,})", "KiB", [per_job])
    bench.held = held
