"""The deploy checks (scripts/check-deploy): what this machine can check of deploy/ without
a cluster or a Docker engine. Each failure is printed as `check-deploy: FILE: problem`;
the exit status is 1 when there is any.

- Kubernetes: every resource kustomization.yaml lists (and the Secret template) against
  the Kubernetes API's schemas (PyPI kubernetes-validate, strict: unknown fields are
  errors) for the oldest and newest version we support; KEDA's ScaledObject and
  TriggerAuthentication and prometheus-operator's ServiceMonitor against the subset
  schemas in schemas/ (check-jsonschema). Then the numbers that must agree: the
  ScaledObject's maxReplicaCount ≤ topics.jobs.partitions, its group, topic and brokers
  = the ConfigMap's settings, the ServiceMonitor finds the metrics Service's port, the
  worker's probes and metrics file meet its sidecar.
- Compose: docker-compose.yml against the Compose specification's JSON schema (vendored
  in check-jsonschema: --builtin-schema vendor.compose-spec).
- Prometheus: `promtool check config` on every prometheus*.yml.
- Settings: every BATON_… name anywhere in deploy/ is one `baton` knows (its own check,
  "environment variables that match no setting"), and the production baton.yaml loads.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCHEMAS = os.path.join(HERE, "schemas")
# Kubernetes versions the manifests must be valid for: unhealthyPodEvictionPolicy (PDB)
# needs 1.27+, and the newest schemas kubernetes-validate ships catch removed APIs.
KUBERNETES_VERSIONS = ["1.29.0", "1.37.0"]
# Resources with a schema of ours (scripts/deploycheck/schemas), by apiVersion and kind.
CUSTOM = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
}
VARIABLE = re.compile(r"\bBATON_[A-Z0-9_]*[A-Z0-9]\b")
MISSPELT = "environment variables that match no setting (misspelt?)"


class Checks:
    def __init__(self, deploy: str, baton: str):
        self.deploy = deploy
        self.baton = baton
        self.failures = []

    def fail(self, path: str, problem: str):
        self.failures.append(f"{os.path.relpath(path)}: {problem}")

    # ---- Kubernetes -------------------------------------------------------------------

    def kubernetes(self):
        import kubernetes_validate

        folder = os.path.join(self.deploy, "kubernetes")
        kustomization_path = os.path.join(folder, "kustomization.yaml")
        kustomization = self.load_one(kustomization_path)
        if kustomization is None:
            return
        files = list(kustomization.get("resources") or []) + ["secret.template.yaml"]
        for generator in kustomization.get("configMapGenerator") or []:
            for file in generator.get("files") or []:
                if not os.path.isfile(os.path.join(folder, file.split("=")[-1])):
                    self.fail(kustomization_path, f"configMapGenerator {generator.get('name')}: no file {file}")
        resources = []
        for file in files:
            path = os.path.join(folder, file)
            if not os.path.isfile(path):
                self.fail(kustomization_path, f"resources: no file {file}")
                continue
            for document in self.load_all(path):
                resources.append((path, document))
        for path, document in resources:
            key = (document.get("apiVersion"), document.get("kind"))
            if key in CUSTOM:
                schema = os.path.join(SCHEMAS, f"{key[0].split('/')[0]}_{key[0].split('/')[-1]}_{key[1]}.json")
                self.json_schema(path, document, ["--schemafile", schema])
                continue
            for version in KUBERNETES_VERSIONS:
                try:
                    kubernetes_validate.validate(document, version, strict=True)
                except kubernetes_validate.SchemaNotFoundError:
                    self.fail(path, f"{key[1]} ({key[0]}): no Kubernetes {version} schema and no schema of ours")
                    break
                except kubernetes_validate.ValidationError as error:
                    where = ".".join(str(p) for p in error.path) or "(top)"
                    self.fail(path, f"{key[1]} {name_of(document)}, Kubernetes {version}: {where}: {error.message}")
                    break
        self.consistency(folder, resources)

    def consistency(self, folder: str, resources: list):
        config_path = os.path.join(folder, "config", "baton.yaml")
        config = self.load_one(config_path) or {}
        kafka, topics = config.get("kafka") or {}, config.get("topics") or {}
        by_kind = {}
        for path, document in resources:
            by_kind.setdefault(document.get("kind"), []).append((path, document))
        deployments = {name_of(d): (p, d) for p, d in by_kind.get("Deployment", [])}

        for path, scaled in by_kind.get("ScaledObject", []):
            spec = scaled.get("spec") or {}
            partitions = (topics.get("jobs") or {}).get("partitions")
            maximum = spec.get("maxReplicaCount")
            if isinstance(partitions, int) and isinstance(maximum, int) and maximum > partitions:
                self.fail(path, f"maxReplicaCount {maximum} > topics.jobs.partitions {partitions} in {os.path.relpath(config_path)}: "
                                "the workers beyond the partition count would sit idle")
            target = (spec.get("scaleTargetRef") or {}).get("name")
            if target not in deployments:
                self.fail(path, f"scaleTargetRef names Deployment {target!r}, which the kustomization does not define")
            expected = {
                "consumerGroup": kafka.get("groupId"),
                "topic": f"{topics.get('prefix') or ''}{(topics.get('jobs') or {}).get('name')}",
                "bootstrapServers": kafka.get("bootstrapServers"),
            }
            for trigger in spec.get("triggers") or []:
                if trigger.get("type") != "kafka":
                    continue
                metadata = trigger.get("metadata") or {}
                for field, value in expected.items():
                    if value is not None and metadata.get(field) != value:
                        self.fail(path, f"kafka trigger {field} {metadata.get(field)!r} differs from {os.path.relpath(config_path)} ({value!r})")

        services = {name_of(d): (p, d) for p, d in by_kind.get("Service", [])}
        for path, monitor in by_kind.get("ServiceMonitor", []):
            spec = monitor.get("spec") or {}
            wanted = (spec.get("selector") or {}).get("matchLabels") or {}
            matching = [d for _, d in services.values() if wanted and wanted.items() <= ((d.get("metadata") or {}).get("labels") or {}).items()]
            if not matching:
                self.fail(path, f"selector {wanted} matches no Service of the kustomization")
            ports = {p.get("name") for d in matching for p in (d.get("spec") or {}).get("ports") or []}
            for endpoint in spec.get("endpoints") or []:
                if matching and endpoint.get("port") not in ports:
                    self.fail(path, f"endpoint port {endpoint.get('port')!r} is not a port of the selected Service ({sorted(ports)})")

        for path, deployment in deployments.values():
            self.sidecar(path, deployment)

    def sidecar(self, path: str, deployment: dict):
        """A worker with a metrics sidecar: its probes reach the sidecar's port, and the
        sidecar follows the file the worker writes."""
        containers = ((deployment.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []
        by_name = {c.get("name"): c for c in containers}
        worker, metrics = by_name.get("worker"), by_name.get("metrics")
        if not worker or not metrics:
            return
        env = {e.get("name"): e.get("value") for e in worker.get("env") or []}
        args = metrics.get("args") or []
        followed = args[args.index("--follow") + 1] if "--follow" in args[:-1] else None
        if env.get("BATON_LOG_METRICS_PATH") != followed:
            self.fail(path, f"the worker writes its metrics to {env.get('BATON_LOG_METRICS_PATH')!r} but the sidecar follows {followed!r}")
        ports = {p.get("containerPort") for p in metrics.get("ports") or []}
        for probe in ("livenessProbe", "readinessProbe"):
            port = ((worker.get(probe) or {}).get("httpGet") or {}).get("port")
            if port is not None and port not in ports:
                self.fail(path, f"worker {probe} asks port {port!r}, where the sidecar does not listen ({sorted(ports)})")

    # ---- Compose and Prometheus ---------------------------------------------------------

    def compose(self):
        for path in sorted(glob.glob(os.path.join(self.deploy, "compose", "*compose*.y*ml"))):
            self.json_schema(path, None, ["--builtin-schema", "vendor.compose-spec"])

    def prometheus(self):
        promtool = shutil.which("promtool")
        paths = sorted(glob.glob(os.path.join(self.deploy, "**", "prometheus*.y*ml"), recursive=True))
        if not promtool:
            self.fail(self.deploy, "promtool not found (Debian package prometheus; scripts/bootstrap installs it)")
            return
        for path in paths:
            result = subprocess.run([promtool, "check", "config", "--syntax-only", path], capture_output=True, text=True)
            if result.returncode != 0:
                self.fail(path, "promtool check config: " + (result.stdout + result.stderr).strip().replace("\n", " | "))

    # ---- Settings -------------------------------------------------------------------------

    def settings(self):
        if not os.access(self.baton, os.X_OK):
            self.fail(self.baton, "no baton executable to ask which settings exist (build first: swift build, or set BATON_EXECUTABLE)")
            return
        found = {}
        for path in sorted(glob.glob(os.path.join(self.deploy, "**", "*"), recursive=True)):
            if not os.path.isfile(path):
                continue
            try:
                lines = open(path, encoding="utf-8").read().splitlines()
            except UnicodeDecodeError:
                continue
            for number, line in enumerate(lines, 1):
                for name in VARIABLE.findall(line):
                    found.setdefault(name, f"{os.path.relpath(path)}:{number}")
        # Baton's own check: every variable set and the warning that lists the names that
        # match no setting. Empty values are "not set" to Baton, so nothing is parsed,
        # except that an empty secret variable is refused: those (baton config show
        # --json marks them) get a placeholder.
        clean = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as empty:
            empty.write("{}\n")
            empty.flush()
            show = [self.baton, "config", "show", "--config", empty.name]
            listed = subprocess.run(show + ["--json"], env=clean, capture_output=True, text=True, timeout=60)
            if listed.returncode != 0:
                self.fail(self.baton, f"baton config show --json failed (exit {listed.returncode}): {listed.stderr.strip()}")
                return
            secrets = {environment_name(s["key"]) for s in json.loads(listed.stdout) if s.get("secret")}
            env = dict(clean)
            env.update({name: "placeholder" if name in secrets else "" for name in found})
            result = subprocess.run(show, env=env, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            self.fail(self.baton, f"baton config show failed (exit {result.returncode}): {result.stderr.strip()}")
            return
        unknown = []
        for line in result.stderr.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("msg") == MISSPELT:
                unknown = [v.strip() for v in entry.get("variables", "").split(",") if v.strip()]
        for name in unknown:
            location = found.get(name, "deploy/")
            path, _, line = location.rpartition(":")
            self.failures.append(f"{path}:{line}: {name} is not a Baton setting (baton config show: \"{MISSPELT}\")")
        # The production configuration loads: no unknown setting, no malformed value.
        production = os.path.join(self.deploy, "kubernetes", "config", "baton.yaml")
        if os.path.isfile(production):
            result = subprocess.run([self.baton, "config", "show", "--config", production], env={k: v for k, v in os.environ.items() if not k.startswith("BATON_")},
                                    capture_output=True, text=True, timeout=60)
            if result.returncode != 0:
                self.fail(production, "baton config show refuses it: " + result.stderr.strip().replace("\n", " | "))

    # ---- helpers ----------------------------------------------------------------------

    def json_schema(self, path: str, document, schema_args: list):
        """check-jsonschema on the file (or, for one document of several, on that one)."""
        target = path
        temporary = None
        if document is not None:
            temporary = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
            json.dump(document, temporary)
            temporary.close()
            target = temporary.name
        try:
            result = subprocess.run([sys.executable, "-m", "check_jsonschema", *schema_args, "-o", "text", target],
                                    capture_output=True, text=True, timeout=120)
        finally:
            if temporary:
                os.unlink(temporary.name)
        if result.returncode != 0:
            lines = [l.strip() for l in (result.stdout + result.stderr).splitlines() if l.strip() and "Schema validation errors" not in l]
            self.fail(path, "schema: " + " | ".join(l.replace(target, os.path.basename(path)) for l in lines))

    def load_all(self, path: str) -> list:
        try:
            with open(path) as f:
                return [d for d in yaml.safe_load_all(f) if d]
        except yaml.YAMLError as error:
            self.fail(path, f"not valid YAML: {error}")
            return []

    def load_one(self, path: str):
        if not os.path.isfile(path):
            self.fail(path, "missing")
            return None
        documents = self.load_all(path)
        return documents[0] if documents else None


def environment_name(key: str) -> str:
    """`kafka.saslPassword` → `BATON_KAFKA_SASL_PASSWORD` (DESIGN.md §7: swift-configuration's
    convention, as Baton's SettingsReader.environmentName)."""
    parts = [re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", component).upper() for component in key.split(".")]
    return "_".join(["BATON"] + [re.sub(r"[^A-Z0-9]", "_", part) for part in parts])


def name_of(document: dict) -> str:
    return (document.get("metadata") or {}).get("name", "?")


def main() -> int:
    parser = argparse.ArgumentParser(description="Check deploy/: Kubernetes and Compose schemas, Prometheus config, BATON_ settings.")
    parser.add_argument("--deploy", default=os.path.join(ROOT, "deploy"), help="the deploy folder (default: the repository's)")
    parser.add_argument("--baton", default=os.environ.get("BATON_EXECUTABLE") or os.path.join(ROOT, ".build", "debug", "baton"),
                        help="the baton executable (default: .build/debug/baton, or $BATON_EXECUTABLE)")
    args = parser.parse_args()
    checks = Checks(os.path.abspath(args.deploy), args.baton)
    checks.kubernetes()
    checks.compose()
    checks.prometheus()
    checks.settings()
    for failure in checks.failures:
        print(f"check-deploy: {failure}", file=sys.stderr)
    if checks.failures:
        print(f"check-deploy: {len(checks.failures)} problem(s) in {os.path.relpath(args.deploy)}", file=sys.stderr)
        return 1
    print(f"check-deploy: ok (Kubernetes {' and '.join(KUBERNETES_VERSIONS)} schemas, KEDA and ServiceMonitor subset schemas, "
          "Compose specification, promtool, BATON_ settings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
