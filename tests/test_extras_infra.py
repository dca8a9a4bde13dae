"""The ``kubernetes`` and ``nginx`` extras, rendered for every framework and checked for real.

Kubernetes manifests go through kubernetes-validate (strict, oldest and newest supported
versions) and ``kubectl kustomize`` when kubectl is present; the nginx config goes through
``nginx -t`` and then serves real requests in front of a small echo backend, so the headers,
gzip and body limit it promises are observed, not just parsed. Neither check needs the host
name ``app`` to resolve: nginx looks the upstream up per request (a variable in ``proxy_pass``
plus Docker's resolver), so it is never resolved while the config is only being tested.

The test may skip when nginx is missing only outside CI; under ``CI`` it fails instead.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from scaffold.catalogue import violations
from tests.projects import render

pytestmark = pytest.mark.template

FRAMEWORKS = ("fastapi", "flask", "django")
EXTRAS = ["kubernetes", "nginx"]
#: Underscore on purpose: Kubernetes object names must turn it into a dash.
PROJECT = "infra_api"
K8S_NAME = "infra-api"
#: Oldest version we promise, and kubernetes-validate's own default (the newest it knows).
K8S_VERSIONS = ("1.31.0", None)
MANIFESTS = (
    "configmap.yaml",
    "deployment.yaml",
    "hpa.yaml",
    "ingress.yaml",
    "migrate-job.yaml",
    "pdb.yaml",
    "service.yaml",
)
IMAGE_UID = 10001


Projects = Callable[[str, bool], Path]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Projects:
    """Render a framework with the extras (or without), once per module."""
    cache: dict[tuple[str, bool], Path] = {}
    root = tmp_path_factory.mktemp("extras")

    def get(framework: str, with_extras: bool) -> Path:
        if (framework, with_extras) not in cache:
            # Both variants at once, so they compare the same template state.
            for variant in (True, False):
                cache[framework, variant] = render(
                    root / f"{framework}-{'extras' if variant else 'plain'}",
                    project_name=PROJECT,
                    framework=framework,
                    database="postgresql",
                    auth="jwt",
                    ci="github",
                    extras=EXTRAS if variant else [],
                )
        return cache[framework, with_extras]

    return get


def tool(name: str) -> str:
    """A command-line tool from PATH or from this interpreter's venv (dev dependencies)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is not installed (it is a dev dependency: uv sync)")
    return found


def nginx_binary() -> str:
    """Debian's nginx; skipped outside CI when it is missing, a failure under CI."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        message = "nginx is not installed (apt-get install nginx-light)"
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)
    return found


def load(path: Path) -> dict:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), path
    return document


def env_values(project: Path) -> dict[str, str]:
    values = {}
    for line in (project / ".env").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


# --- Kubernetes -------------------------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_manifests_are_valid_kubernetes(projects: Projects, framework: str) -> None:
    k8s = projects(framework, True) / "deploy" / "k8s"
    assert sorted(p.name for p in k8s.iterdir()) == sorted([*MANIFESTS, "kustomization.yaml"])
    for version in K8S_VERSIONS:
        cmd = [tool("kubernetes-validate"), "--strict"]
        cmd += ["-k", version] if version else []
        proc = subprocess.run(
            [*cmd, *MANIFESTS], cwd=k8s, capture_output=True, text=True, check=False
        )
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, output
        # Every manifest was checked against a real schema, not waved through as unknown.
        assert output.count(" passed for resource ") == len(MANIFESTS), output
        assert "WARN" not in output, output

    kustomization = load(k8s / "kustomization.yaml")
    assert sorted(kustomization["resources"]) == sorted(MANIFESTS)
    assert kustomization["images"][0]["name"] == K8S_NAME
    kubectl = shutil.which("kubectl")
    if kubectl:  # kustomize is built into kubectl; the build needs no cluster
        built = subprocess.run(
            [kubectl, "kustomize", str(k8s)], capture_output=True, text=True, check=False
        )
        assert built.returncode == 0, built.stderr
        kinds = sorted(d["kind"] for d in yaml.safe_load_all(built.stdout) if d)
        assert kinds == sorted(
            [
                "ConfigMap",
                "Deployment",
                "HorizontalPodAutoscaler",
                "Ingress",
                "Job",
                "PodDisruptionBudget",
                "Service",
            ]
        )
        assert f"image: registry.example.com/{K8S_NAME}:" in built.stdout


def _check_pod(pod: dict, container: dict) -> None:
    """The hardening both the web pods and the migration pod must have."""
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == IMAGE_UID
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    ctx = container["securityContext"]
    assert ctx["runAsNonRoot"] is True
    assert ctx["runAsUser"] == IMAGE_UID
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["capabilities"] == {"drop": ["ALL"]}
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}} in pod["volumes"]
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}
    # Settings from the ConfigMap, secrets only by reference to a Secret the user creates.
    assert container["envFrom"] == [{"configMapRef": {"name": f"{K8S_NAME}-config"}}]
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"] if "valueFrom" in e}
    assert refs == {
        "SECRET_KEY": {"name": f"{K8S_NAME}-secrets", "key": "SECRET_KEY"},
        "DATABASE_URL": {"name": f"{K8S_NAME}-secrets", "key": "DATABASE_URL"},
    }


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_deployment_and_job_are_hardened(projects: Projects, framework: str) -> None:
    project = projects(framework, True)
    k8s = project / "deploy" / "k8s"
    deployment = load(k8s / "deployment.yaml")
    assert deployment["metadata"]["name"] == K8S_NAME
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    _check_pod(pod, container)
    assert {"name": "XDG_RUNTIME_DIR", "value": "/tmp"} in container["env"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"] == labels
    assert load(k8s / "service.yaml")["spec"]["selector"] == labels
    assert load(k8s / "pdb.yaml")["spec"]["selector"]["matchLabels"] == labels

    hpa = load(k8s / "hpa.yaml")["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": K8S_NAME,
    }
    assert 2 <= hpa["minReplicas"] < hpa["maxReplicas"]
    ingress = load(k8s / "ingress.yaml")["spec"]
    backend = ingress["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": K8S_NAME, "port": {"name": "http"}}

    job = load(k8s / "migrate-job.yaml")
    job_pod = job["spec"]["template"]["spec"]
    (migrate,) = job_pod["containers"]
    _check_pod(job_pod, migrate)
    assert job_pod["restartPolicy"] == "Never"
    # The same migration command compose runs (both come from the framework's facts).
    compose = load(project / "compose.yaml")
    assert migrate["command"] == compose["services"]["migrate"]["command"]
    assert migrate["image"].split(":")[0] == container["image"].split(":")[0] == K8S_NAME


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_configmap_holds_only_documented_non_secret_settings(
    projects: Projects, framework: str
) -> None:
    project = projects(framework, True)
    data = load(project / "deploy" / "k8s" / "configmap.yaml")["data"]
    documented = (project / ".env.example").read_text(encoding="utf-8") + (
        project / "gunicorn.conf.py"
    ).read_text(encoding="utf-8")
    for key, value in data.items():
        assert isinstance(value, str), f"{key}: ConfigMap values must be strings"
        assert re.search(rf"\b{key}\b", documented), f"{key} is not a setting the app reads"
    assert not {"SECRET_KEY", "DATABASE_URL", "DB_PASSWORD"} & set(data)
    if framework == "django":
        assert data["ALLOWED_HOSTS"] == f"{K8S_NAME}.example.com"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_no_secret_value_in_deploy(projects: Projects, framework: str) -> None:
    project = projects(framework, True)
    secrets = env_values(project)
    assert len(secrets["SECRET_KEY"]) >= 32
    assert len(secrets["DB_PASSWORD"]) >= 16
    for path in (project / "deploy").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for name in ("SECRET_KEY", "DB_PASSWORD"):
                assert secrets[name] not in text, f"{name}'s value leaked into {path}"
            assert not re.search(r"^kind:\s*Secret\b", text, re.MULTILINE), path


# --- nginx ------------------------------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_nginx_config_passes_nginx_t(projects: Projects, framework: str) -> None:
    nginx = nginx_binary()
    conf = projects(framework, True) / "deploy" / "nginx" / "nginx.conf"
    proc = subprocess.run(
        [nginx, "-t", "-e", "stderr", "-c", str(conf)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "test is successful" in proc.stderr


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_compose_puts_nginx_in_front(projects: Projects, framework: str) -> None:
    project = projects(framework, True)
    run = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    services = load(project / "compose.yaml")["services"]
    nginx = services["nginx"]
    assert re.fullmatch(r"nginx:1\.\d+-alpine", nginx["image"])
    assert nginx["depends_on"] == {"app": {"condition": "service_healthy"}}
    assert nginx["healthcheck"]["test"][0] == "CMD"
    assert "/nginx-health" in nginx["healthcheck"]["test"][-1]
    assert nginx["volumes"] == ["./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro"]
    assert nginx["read_only"] is True
    assert nginx["ports"] == ["8000:8080"]
    assert "ports" not in services["app"], "the app must only be reachable through nginx"
    assert services["app"]["expose"] == ["8000"]
    conf = (project / "deploy" / "nginx" / "nginx.conf").read_text(encoding="utf-8")
    assert "listen 8080 default_server;" in conf
    assert "http://app:8000" in conf


class _Echo(BaseHTTPRequestHandler):
    """Answers with the request headers it received, padded so gzip has something to do."""

    def _reply(self) -> None:
        body = json.dumps(
            {"headers": {k.lower(): v for k, v in self.headers.items()}, "pad": "x" * 4096}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        # Both get replaced by nginx's single value.
        self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._reply()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._reply()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest shows the test's own output only."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def proxy(projects: Projects, tmp_path: Path) -> Iterator[int]:
    """The rendered nginx.conf serving on a free port, with the echo backend as ``app``."""
    nginx = nginx_binary()
    backend = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    port = _free_port()
    conf = (projects("fastapi", True) / "deploy" / "nginx" / "nginx.conf").read_text()
    for needle in ("http://app:8000;", "listen 8080 default_server;", "/tmp/"):
        assert needle in conf
    # The only edits: where the app is, where nginx listens, and a private /tmp. That every
    # writable path starts with /tmp/ is what lets the compose container run read-only.
    conf = (
        conf.replace("http://app:8000;", f"http://127.0.0.1:{backend.server_port};")
        .replace("listen 8080 default_server;", f"listen 127.0.0.1:{port} default_server;")
        .replace("/tmp/", f"{tmp_path}/")
    )
    path = tmp_path / "nginx.conf"
    path.write_text(conf)
    log = (tmp_path / "nginx.log").open("w")
    process = subprocess.Popen(
        [nginx, "-e", "stderr", "-c", str(path), "-g", "daemon off; master_process off;"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f"nginx exited: {(tmp_path / 'nginx.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"nginx did not listen: {(tmp_path / 'nginx.log').read_text()}")
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        backend.shutdown()
        backend.server_close()


def _get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def test_nginx_proxies_with_headers_gzip_and_limits(proxy: int) -> None:
    port = proxy
    # A client's own X-Forwarded-For is overwritten, not appended to (it would dodge throttles).
    headers = {"X-Request-ID": "req-abc-123", "Accept-Encoding": "gzip"}
    headers["X-Forwarded-For"] = "6.6.6.6"
    response = _get(port, "/api/v1/items", headers)
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    seen = json.loads(gzip.decompress(response.body))["headers"]  # type: ignore[attr-defined]
    assert seen["x-request-id"] == "req-abc-123"
    assert response.getheader("X-Request-ID") == "req-abc-123"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert seen["host"] == f"127.0.0.1:{port}"
    assert response.headers.get_all("X-Frame-Options") == ["DENY"]
    assert response.headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert response.getheader("Content-Security-Policy") == "frame-ancestors 'none'"
    assert response.getheader("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert response.getheader("Server") == "nginx", "server_tokens off hides the version"
    assert response.getheader("Strict-Transport-Security") is None, "HSTS only over HTTPS"

    # Without a client id, nginx makes one, sends it to the app and returns it.
    response = _get(port, "/", {})
    seen = json.loads(response.body)["headers"]  # type: ignore[attr-defined]
    assert re.fullmatch(r"[0-9a-f]{32}", seen["x-request-id"])
    assert response.getheader("X-Request-ID") == seen["x-request-id"]
    assert response.getheader("Content-Encoding") is None

    response = _get(port, "/nginx-health", {})
    assert (response.status, response.body) == (200, b"ok\n")  # type: ignore[attr-defined]

    # A body over client_max_body_size is refused from its Content-Length, before it is sent.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("POST", "/api/v1/items")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(2 * 1024 * 1024))  # the apps' MAX_BODY_BYTES is 1 MiB
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()


# --- both, and neither ------------------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_extras_leave_code_dockerfile_and_lint_unchanged(
    projects: Projects, framework: str
) -> None:
    with_extras, plain = projects(framework, True), projects(framework, False)
    code = sorted(p.relative_to(plain) for p in plain.rglob("*.py"))
    assert code == sorted(p.relative_to(with_extras) for p in with_extras.rglob("*.py"))
    changed = [p for p in code if (plain / p).read_bytes() != (with_extras / p).read_bytes()]
    assert changed == [], "extras kubernetes/nginx must not touch Python code"
    for project in (with_extras, plain):
        for cmd in (["check", "."], ["format", "--check", "."]):
            proc = subprocess.run(
                [tool("ruff"), *cmd], cwd=project, capture_output=True, text=True, check=False
            )
            assert proc.returncode == 0, proc.stdout + proc.stderr
    hadolint = subprocess.run(
        [tool("hadolint"), "Dockerfile"], cwd=with_extras, capture_output=True, text=True
    )
    assert hadolint.returncode == 0, hadolint.stdout + hadolint.stderr


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_readme_sections_only_when_chosen(projects: Projects, framework: str) -> None:
    with_extras = (projects(framework, True) / "README.md").read_text(encoding="utf-8")
    plain = (projects(framework, False) / "README.md").read_text(encoding="utf-8")
    assert "\n## Kubernetes\n" in with_extras
    assert f"kubectl create secret generic {K8S_NAME}-secrets" in with_extras
    assert "\n## nginx\n" in with_extras
    assert "## Kubernetes" not in plain
    assert "## nginx" not in plain
    for text in (with_extras, plain):
        assert "\n\n\n" not in text, "blank-line debris"
        assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_without_extras_nothing_is_added(projects: Projects, framework: str) -> None:
    project = projects(framework, False)
    assert not (project / "deploy").exists()
    services = load(project / "compose.yaml")["services"]
    assert "nginx" not in services
    assert services["app"]["ports"] == ["8000:8000"]
    compose = (project / "compose.yaml").read_text(encoding="utf-8")
    assert "FORWARDED_ALLOW_IPS" not in compose
    assert "TRUSTED_PROXIES" not in compose


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_rendered_files_end_with_one_newline(projects: Projects, framework: str) -> None:
    project = projects(framework, True)
    files = [*(project / "deploy").rglob("*.yaml"), project / "deploy" / "nginx" / "nginx.conf"]
    files.append(project / "compose.yaml")
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n") and not text.endswith("\n\n"), path
        assert "\n\n\n" not in text, path


def test_sqlite_with_kubernetes_is_refused(tmp_path: Path) -> None:
    answers = {"database": "sqlite", "extras": ["kubernetes"]}
    (rule,) = violations(answers)
    assert "replicas" in rule.reason
    assert violations({"database": "postgresql", "extras": ["kubernetes"]}) == []
    assert violations({"database": "sqlite", "extras": ["nginx"]}) == []
    # Plain Copier refuses it too (copier.yml carries the rule as a choice validator).
    with pytest.raises(ValueError, match="replicas"):
        render(tmp_path / "refused", framework="fastapi", **answers)
    assert not (tmp_path / "refused" / "deploy").exists()
