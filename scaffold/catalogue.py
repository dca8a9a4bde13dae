"""The option catalogue: every question scaffold asks, in one place.

Prompts, command-line flags, ``scaffold options``, validation, ``templates/copier.yml`` and the
smoke-test matrix are all derived from :data:`OPTIONS` and :data:`RULES`, so adding an option or
forbidding a combination is a change to this module alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "choice", "multi"]
Answers = Mapping[str, object]


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice question."""

    value: str
    label: str
    help: str


@dataclass(frozen=True)
class Option:
    """One question: how it is asked, what it accepts and what it defaults to."""

    key: str
    prompt: str
    help: str
    kind: Kind
    default: str | tuple[str, ...]
    choices: tuple[Choice, ...] = ()
    flag: str | None = None
    short: str | None = None
    #: A regular expression a text answer must match, and what to say when it does not.
    pattern: str | None = None
    pattern_help: str = ""
    #: Part of the matrix: the smoke test varies it. Text options never are.
    in_matrix: bool = False
    #: A git config key whose value, when set, is the default instead of ``default``.
    default_from_git: str | None = None

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    @property
    def metavar(self) -> str:
        """What ``--help`` shows for the flag's value."""
        return self.key.upper() if self.choices else "TEXT"


@dataclass(frozen=True)
class Rule:
    """A combination that cannot be generated, and why.

    ``when`` maps option keys to a value; for a multi-choice option the value must be among the
    selected ones. The combination is invalid when every ``when`` condition holds and no
    ``unless`` condition does: ``Rule({"extras": "worker"}, ..., unless={"extras": "redis"})``
    says a worker needs Redis.
    """

    when: Mapping[str, str]
    reason: str
    unless: Mapping[str, str] = field(default_factory=dict)
    keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(dict.fromkeys([*self.when, *self.unless])))

    def matches(self, answers: Answers) -> bool:
        return all(_holds(answers.get(k), v) for k, v in self.when.items()) and not any(
            _holds(answers.get(k), v) for k, v in self.unless.items()
        )


def _holds(answer: object, value: str) -> bool:
    if isinstance(answer, list | tuple | set | frozenset):
        return value in answer
    return answer == value


#: The longest derived identifiers must fit PostgreSQL's and MySQL's 63/64-byte names and the
#: 63-character DNS labels Kubernetes requires: the tests' throw-away database
#: ``<package>_test_<12 hex>`` (40 + 18 = 58) and ``<name>-secrets``/``-migrate`` (40 + 8).
PROJECT_NAME_MAX_LENGTH = 40
PROJECT_NAME_PATTERN = rf"^(?=.{{1,{PROJECT_NAME_MAX_LENGTH}}}$)[a-z][a-z0-9]*([-_][a-z0-9]+)*$"

OPTIONS: tuple[Option, ...] = (
    Option(
        key="project_name",
        prompt="Project name",
        help="Distribution name, lowercase with - or _ (my-api); the package is my_api.",
        kind="text",
        default="myapi",
        pattern=PROJECT_NAME_PATTERN,
        pattern_help="lowercase letters and digits, words joined by single - or _, "
        f"starting with a letter, at most {PROJECT_NAME_MAX_LENGTH} characters",
    ),
    Option(
        key="description",
        prompt="Description",
        help="One line for pyproject.toml and the README.",
        kind="text",
        default="A backend service.",
        flag="--description",
    ),
    Option(
        key="author_name",
        prompt="Author name",
        help="For pyproject.toml.",
        kind="text",
        default="Your Name",
        flag="--author-name",
        default_from_git="user.name",
    ),
    Option(
        key="author_email",
        prompt="Author email",
        help="For pyproject.toml.",
        kind="text",
        default="you@example.com",
        flag="--author-email",
        default_from_git="user.email",
        pattern=r"^[^@ ]+@[^@ ]+$",
        pattern_help="an email address",
    ),
    Option(
        key="python_version",
        prompt="Minimum Python version",
        help="requires-python lower bound, and the version of the container image and CI.",
        kind="choice",
        default="3.11",
        flag="--python",
        choices=(
            Choice("3.11", "3.11", "Oldest supported; widest reach."),
            Choice("3.12", "3.12", "Faster interpreter, better error messages."),
            Choice("3.13", "3.13", "Newest stable release."),
        ),
    ),
    Option(
        key="framework",
        prompt="Web framework",
        help="The application framework the project is built on.",
        kind="choice",
        default="fastapi",
        flag="--framework",
        short="-f",
        in_matrix=True,
        choices=(
            Choice("fastapi", "FastAPI", "Async, typed, OpenAPI built in; SQLAlchemy 2 + Alembic."),
            Choice("flask", "Flask", "Application factory, blueprints, flask-smorest, Alembic."),
            Choice("django", "Django", "Batteries included: admin, ORM, DRF + drf-spectacular."),
        ),
    ),
    Option(
        key="database",
        prompt="Database",
        help="Where the application keeps its data; SQLite needs no server.",
        kind="choice",
        default="sqlite",
        flag="--database",
        short="-d",
        in_matrix=True,
        choices=(
            Choice("sqlite", "SQLite", "A file; no server. Good for development and small apps."),
            Choice("postgresql", "PostgreSQL", "The default choice for production."),
            Choice("mysql", "MySQL / MariaDB", "Where MySQL or MariaDB is already run."),
            Choice(
                "mongodb",
                "MongoDB",
                "Documents instead of tables: Beanie (FastAPI) or PyMongo + marshmallow (Flask).",
            ),
        ),
    ),
    Option(
        key="auth",
        prompt="Authentication",
        help="How users sign in; with auth, example items belong to their owner.",
        kind="choice",
        default="jwt",
        flag="--auth",
        short="-a",
        in_matrix=True,
        choices=(
            Choice("none", "None", "No users; the example resource is public."),
            Choice("session", "Session cookie", "Login sessions in an HttpOnly cookie, CSRF-safe."),
            Choice("jwt", "JWT", "Short-lived access token plus refresh token."),
            Choice(
                "oauth",
                "OAuth / OpenID Connect",
                "Sign in with any OIDC provider (issuer, client id and secret from the "
                "environment); the app then issues its own session or token.",
            ),
        ),
    ),
    Option(
        key="ci",
        prompt="Continuous integration",
        help="Lint, test against the chosen database, and build the image on every push.",
        kind="choice",
        default="github",
        flag="--ci",
        in_matrix=True,
        choices=(
            Choice("github", "GitHub Actions", "Workflow plus Dependabot, read-only token."),
            Choice("gitlab", "GitLab CI", ".gitlab-ci.yml with the database as a service."),
            Choice("none", "None", "No CI configuration."),
        ),
    ),
    Option(
        key="extras",
        prompt="Extras",
        help="Optional add-ons; each can also be added later with `scaffold update --with NAME`.",
        kind="multi",
        default=(),
        choices=(
            Choice(
                "redis",
                "Redis",
                "Redis client from settings, a cached endpoint, Redis-backed login rate "
                "limiting; /ready checks Redis.",
            ),
            Choice(
                "worker",
                "Background worker",
                "Celery with Redis as broker, an example task started from the API, a worker "
                "service in compose (needs redis).",
            ),
            Choice(
                "metrics",
                "Prometheus metrics",
                "/metrics with request count and latency histograms.",
            ),
            Choice(
                "logging",
                "JSON logs",
                "Structured JSON logs with the X-Request-ID of each request; secrets never logged.",
            ),
            Choice(
                "kubernetes",
                "Kubernetes",
                "deploy/k8s/: hardened Deployment, Service, Ingress, HPA, ConfigMap, "
                "migration Job, kustomization; secrets referenced, never written.",
            ),
            Choice(
                "nginx",
                "nginx",
                "An nginx reverse proxy in compose: timeouts, gzip, security headers, request ids.",
            ),
            Choice(
                "mqtt",
                "MQTT telemetry",
                "An ingester storing device readings from an MQTT broker (Mosquitto in compose), "
                "with REST for devices, readings and per-interval aggregates.",
            ),
            Choice(
                "websockets",
                "WebSockets chat",
                "/ws/rooms/{room}: signed-in chat rooms with persisted history, fanned out "
                "across worker processes through Redis pub/sub (needs redis).",
            ),
            Choice(
                "graphql",
                "GraphQL",
                "/graphql (Strawberry): items as queries and mutations with the REST API's auth "
                "and owners, cursor pagination, owners in a fixed number of SQL queries, depth, "
                "alias, token and size limits.",
            ),
            Choice(
                "ml",
                "ML model serving",
                "POST /api/v1/predict and GET /api/v1/model: a scikit-learn pipeline trained by "
                "`python -m <package>.train`, saved with skops (never pickle), hash-checked and "
                "loaded once per worker; built into the image.",
            ),
        ),
    ),
)

#: Combinations no template can generate, with the reason shown to the user.
RULES: tuple[Rule, ...] = (
    Rule(
        when={"framework": "django", "database": "mongodb"},
        reason="Django's ORM, admin, auth and migrations are built for SQL databases and no "
        "MongoDB backend is maintained by Django; choose FastAPI or Flask for MongoDB",
    ),
    Rule(
        when={"extras": "worker"},
        unless={"extras": "redis"},
        reason="the worker uses Redis as its broker; add the redis extra too (--with redis)",
    ),
    Rule(
        when={"database": "mongodb", "extras": "mqtt"},
        reason="the MQTT ingester stores readings in SQL tables and aggregates them in SQL; "
        "it has no MongoDB storage yet: choose SQLite, PostgreSQL or MySQL for mqtt",
    ),
    Rule(
        when={"extras": "websockets"},
        unless={"extras": "redis"},
        reason="chat messages reach the sockets held by other worker processes and pods through "
        "Redis pub/sub; add the redis extra too (--with redis)",
    ),
    Rule(
        when={"framework": "flask", "database": "mongodb", "extras": "websockets"},
        reason="Flask's chat rooms store their history in a SQL table; they have no MongoDB "
        "storage yet: choose a SQL database, or FastAPI for MongoDB with websockets",
    ),
    Rule(
        when={"database": "sqlite", "extras": "kubernetes"},
        reason="a SQLite file lives inside one pod: it is not shared between replicas and is "
        "lost when the pod is rescheduled; choose PostgreSQL or MySQL for Kubernetes",
    ),
    Rule(
        when={"database": "mongodb", "extras": "graphql"},
        reason="the GraphQL API is built on the SQL models and loads a page's owners in a "
        "fixed number of SQL queries; it is not built for MongoDB: choose a SQL database for "
        "GraphQL",
    ),
)

OPTIONS_BY_KEY: dict[str, Option] = {option.key: option for option in OPTIONS}
MATRIX_KEYS: tuple[str, ...] = tuple(o.key for o in OPTIONS if o.in_matrix)


def defaults() -> dict[str, object]:
    """Every option's default answer."""
    return {o.key: list(o.default) if o.kind == "multi" else o.default for o in OPTIONS}


def violations(answers: Answers) -> list[Rule]:
    """The rules a complete set of answers breaks."""
    return [rule for rule in RULES if rule.matches(answers)]


def disabled_reason(key: str, value: str, answers: Answers) -> str | None:
    """Why ``value`` cannot be chosen for ``key`` given the answers so far, or None."""
    trial = {**answers, key: [value] if OPTIONS_BY_KEY[key].kind == "multi" else value}
    for rule in RULES:
        if key not in rule.when or key in rule.unless:
            continue  # a choice is only disabled by rules it triggers on other answers
        if all(k in trial for k in rule.keys) and rule.matches(trial):
            return rule.reason
    return None


def combinations(keys: Iterable[str] = MATRIX_KEYS) -> list[dict[str, str]]:
    """Every valid combination of the single-choice options in ``keys`` (defaults elsewhere)."""
    combos: list[dict[str, str]] = [{}]
    for key in keys:
        option = OPTIONS_BY_KEY[key]
        combos = [{**combo, key: value} for combo in combos for value in option.values]
    base = defaults()
    return [combo for combo in combos if not violations({**base, **combo})]
