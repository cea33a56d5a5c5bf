"""scripts/check-deploy: a copy of deploy/ with one mistake of each kind fails, and every
mistake is named with its file: a misspelt BATON_ variable, an unknown field in a
Kubernetes manifest, a ScaledObject that scales past the partitions, a misspelt KEDA
trigger parameter, an unknown compose key and a broken Prometheus config. (scripts/test
runs the check on deploy/ itself, which must pass.)

Needs what scripts/test provides: a built baton (.build/debug/baton, or BATON_EXECUTABLE)
and scripts/bootstrap's packages.
"""

import os
import shutil
import subprocess
import tempfile
import unittest

from . import support

CHECK = os.path.join(support.SCRIPTS, "check-deploy")
DEPLOY = os.path.join(os.path.dirname(support.SCRIPTS), "deploy")


def run_check(deploy: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHECK, "--deploy", deploy], capture_output=True, text=True, timeout=support.scaled(300))


def replace(path: str, old: str, new: str) -> None:
    with open(path) as f:
        text = f.read()
    if old not in text:
        raise AssertionError(f"{path} no longer contains {old!r}: update this test")
    with open(path, "w") as f:
        f.write(text.replace(old, new, 1))


class CheckDeploy(unittest.TestCase):
    def test_each_mistake_is_named_with_its_file(self):
        directory = tempfile.mkdtemp(prefix="baton-check-deploy-")
        self.addCleanup(shutil.rmtree, directory, True)
        deploy = os.path.join(directory, "deploy")
        shutil.copytree(DEPLOY, deploy)
        kubernetes, compose = os.path.join(deploy, "kubernetes"), os.path.join(deploy, "compose")

        replace(os.path.join(compose, "env.example"), "BATON_WORKER_CONCURRENCY=32", "BATON_WORKER_CONCURENCY=32")
        replace(os.path.join(kubernetes, "worker-deployment.yaml"), "terminationGracePeriodSeconds: 60", "terminationGracePeriod: 60")
        replace(os.path.join(kubernetes, "keda-scaledobject.yaml"), "maxReplicaCount: 12", "maxReplicaCount: 13")
        replace(os.path.join(kubernetes, "keda-scaledobject.yaml"), "consumerGroup: baton-workers", "consumerGroups: baton-workers")
        replace(os.path.join(compose, "docker-compose.yml"), "stop_grace_period: 60s", "stop_grace: 60s")
        replace(os.path.join(compose, "prometheus.yml"), "scrape_interval: 15s", "scrape_interval: often")

        result = run_check(deploy)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 1, output)
        problems = [line for line in result.stderr.splitlines() if line.startswith("check-deploy: ") and "problem(s)" not in line]

        def named(file: str, *words: str) -> bool:
            return any(f"{file}" in line and all(w in line for w in words) for line in problems)

        self.assertTrue(named("compose/env.example:", "BATON_WORKER_CONCURENCY", "not a Baton setting"), output)
        self.assertTrue(named("kubernetes/worker-deployment.yaml", "terminationGracePeriod"), output)
        self.assertTrue(named("kubernetes/keda-scaledobject.yaml", "maxReplicaCount 13 > topics.jobs.partitions 12"), output)
        self.assertTrue(named("kubernetes/keda-scaledobject.yaml", "consumerGroups"), output)
        self.assertTrue(named("compose/docker-compose.yml", "stop_grace"), output)
        self.assertTrue(named("compose/prometheus.yml", "promtool"), output)
        self.assertIn(f"check-deploy: {len(problems)} problem(s)", result.stderr)


if __name__ == "__main__":
    unittest.main()
