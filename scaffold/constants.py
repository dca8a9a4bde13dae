"""Facts about a generated project, scaffold's exits and its test services, named once."""

#: The answers Copier records in every generated project (the base of ``scaffold update``).
ANSWERS_FILE = ".scaffold-answers.yml"
#: The branch holding scaffold's own output, the common ancestor of every update merge.
PRISTINE_BRANCH = "scaffold/pristine"

#: Exit statuses: bad input or a refused operation, and Ctrl-C / SIGTERM (128 + SIGINT).
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: The environment variable naming this machine's server of each kind, read by the repository's
#: tests and by ``scaffold smoke`` (unset: what needs that server is skipped or not run).
SERVICE_ENV: dict[str, str] = {
    "postgresql": "SCAFFOLD_TEST_POSTGRES_URL",
    "mysql": "SCAFFOLD_TEST_MYSQL_URL",
    "mongodb": "SCAFFOLD_TEST_MONGODB_URL",
    "redis": "SCAFFOLD_TEST_REDIS_URL",
    "mqtt": "SCAFFOLD_TEST_MQTT_URL",
}
