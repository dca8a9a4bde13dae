"""The catalogue is the single source of truth: copier.yml, flags and validation agree with it."""

from __future__ import annotations

import itertools

import yaml

from scaffold import catalogue, copier_yml
from scaffold.answers import AnswerError, check, resolve, validate
from scaffold.catalogue import OPTIONS, OPTIONS_BY_KEY, Rule
from scaffold.cli import app
from tests.projects import TEMPLATES


def test_committed_copier_yml_is_generated_from_the_catalogue() -> None:
    committed = (TEMPLATES / "copier.yml").read_text(encoding="utf-8")
    assert committed == copier_yml.render(), (
        "templates/copier.yml is stale: run `uv run python -m scaffold.copier_yml`"
    )


def test_copier_yml_questions_match_catalogue_choices_and_defaults() -> None:
    questions = yaml.safe_load((TEMPLATES / "copier.yml").read_text(encoding="utf-8"))
    for option in OPTIONS:
        question = questions[option.key]
        assert question["default"] == (
            list(option.default) if option.kind == "multi" else option.default
        )
        if option.choices:
            values = [
                v["value"] if isinstance(v, dict) else v for v in question["choices"].values()
            ]
            assert values == list(option.values), option.key


def test_every_flagged_option_is_a_cli_flag_and_every_choice_is_in_its_help() -> None:
    import typer.main

    command = typer.main.get_command(app).commands["new"]  # type: ignore[attr-defined]
    params = {p.name: p for p in command.params}
    for option in OPTIONS:
        if option.flag is None:
            continue
        param = params.get(option.key)
        assert param is not None, f"{option.key} has no CLI flag"
        assert option.flag in param.opts
        for value in option.values:
            assert value in (param.help or ""), f"{option.key}: {value} missing from --help"


def test_framework_trees_exist_for_every_framework_choice() -> None:
    for value in OPTIONS_BY_KEY["framework"].values:
        assert (TEMPLATES / value).is_dir()
        assert (TEMPLATES / "_shared" / "frameworks" / f"{value}.jinja").is_file()


def test_check_rejects_unknown_keys_and_choices_listing_valid_ones() -> None:
    try:
        check("database", "oracle")
    except AnswerError as error:
        assert "sqlite" in str(error)
        assert "postgresql" in str(error)
    else:
        raise AssertionError("oracle accepted")
    try:
        check("colour", "blue")
    except AnswerError as error:
        assert "framework" in str(error)
    else:
        raise AssertionError("unknown key accepted")


def test_resolve_precedence_flags_over_sets_over_file_over_defaults() -> None:
    resolved = resolve(
        [
            ("flag", {"project_name": "api", "auth": "session"}),
            ("--set", {"auth": "none", "ci": "gitlab"}),
            ("answers file", {"ci": "none", "database": "mysql"}),
        ]
    )
    assert resolved.answers["auth"] == "session"
    assert resolved.answers["ci"] == "gitlab"
    assert resolved.answers["database"] == "mysql"
    assert resolved.answers["framework"] == OPTIONS_BY_KEY["framework"].default
    assert resolved.sources["framework"] == "default"
    assert resolved.sources["auth"] == "flag"


def test_rules_block_combinations_and_disable_choices(monkeypatch) -> None:
    rule = Rule({"framework": "django", "database": "mysql"}, "example reason")
    monkeypatch.setattr(catalogue, "RULES", (rule,))
    answers = {**catalogue.defaults(), "framework": "django", "database": "mysql"}
    try:
        validate(answers)
    except AnswerError as error:
        assert "example reason" in str(error)
        assert "framework=django" in str(error)
    else:
        raise AssertionError("rule not enforced")
    reason = catalogue.disabled_reason("database", "mysql", {"framework": "django"})
    assert reason == "example reason"
    assert catalogue.disabled_reason("database", "mysql", {"framework": "flask"}) is None
    combos = catalogue.combinations()
    assert not any(c["framework"] == "django" and c["database"] == "mysql" for c in combos)
    questions = yaml.safe_load(copier_yml.render())
    mysql = questions["database"]["choices"]["MySQL / MariaDB"]
    assert mysql == {
        "value": "mysql",
        "validator": "{% if framework == 'django' %}example reason{% endif %}",
    }


def test_combinations_are_the_product_of_matrix_options_minus_invalid_ones() -> None:
    keys = catalogue.MATRIX_KEYS
    product = list(itertools.product(*(OPTIONS_BY_KEY[k].values for k in keys)))
    base = catalogue.defaults()
    valid = [dict(zip(keys, c, strict=True)) for c in product]
    valid = [c for c in valid if not catalogue.violations({**base, **c})]
    assert catalogue.combinations() == valid
    assert len(valid) >= 27


def test_unless_rules_require_a_companion_choice(monkeypatch) -> None:
    rule = Rule({"auth": "session"}, "needs gitlab", unless={"ci": "gitlab"})
    monkeypatch.setattr(catalogue, "RULES", (rule,))
    base = catalogue.defaults()
    assert catalogue.violations({**base, "auth": "session", "ci": "github"}) == [rule]
    assert catalogue.violations({**base, "auth": "session", "ci": "gitlab"}) == []
    assert catalogue.violations({**base, "auth": "jwt", "ci": "github"}) == []
    questions = yaml.safe_load(copier_yml.render())
    # Checked on the later question (ci), never on a choice of the earlier one.
    assert questions["ci"]["validator"] == (
        "{% if auth == 'session' and not (ci == 'gitlab') %}needs gitlab{% endif %}"
    )
    assert questions["auth"]["choices"]["Session cookie"] == "session"


def test_copier_itself_refuses_an_invalid_combination(tmp_path, monkeypatch) -> None:
    """The generated validators work in plain Copier, not only in scaffold."""
    import copier

    assert catalogue.RULES, "no rule to check"
    rule = catalogue.RULES[0]
    answers = {**catalogue.defaults(), **rule.when}
    for key, value in rule.when.items():
        if OPTIONS_BY_KEY[key].kind == "multi":
            answers[key] = [value]
    answers["project_name"] = "refused"
    try:
        copier.run_copy(
            str(TEMPLATES),
            tmp_path / "out",
            data=answers,
            defaults=True,
            quiet=True,
            settings=copier.Settings(),
        )
    except Exception as error:  # copier raises ValueError/ValidationError variants
        assert rule.reason.split(";")[0][:40] in str(error) or "Validation" in type(error).__name__
    else:
        raise AssertionError(f"copier rendered {rule.when} despite the rule")
    assert not (tmp_path / "out" / "Dockerfile").exists()


def test_graphql_needs_a_sql_database_and_fits_every_framework() -> None:
    """The GraphQL API is built on the SQL models: refused with MongoDB, allowed elsewhere."""
    mongodb = {**catalogue.defaults(), "database": "mongodb", "extras": ["graphql"]}
    assert [rule.reason for rule in catalogue.violations(mongodb)] == [catalogue.RULES[-1].reason]
    assert "MongoDB" in catalogue.RULES[-1].reason
    for framework in OPTIONS_BY_KEY["framework"].values:
        for database in ("sqlite", "postgresql", "mysql"):
            answers = {
                **catalogue.defaults(),
                "framework": framework,
                "database": database,
                "extras": ["graphql"],
            }
            assert catalogue.violations(answers) == [], (framework, database)
    reason = catalogue.disabled_reason("extras", "graphql", {"database": "mongodb"})
    assert reason is not None
    assert "SQL" in reason


def test_websockets_fit_every_framework_with_redis_and_flask_needs_sql() -> None:
    """Flask has the chat rooms too (on SQL databases); every framework needs redis with them."""
    for framework in OPTIONS_BY_KEY["framework"].values:
        for database in ("sqlite", "postgresql", "mysql"):
            answers = {
                **catalogue.defaults(),
                "framework": framework,
                "database": database,
                "extras": ["redis", "websockets"],
            }
            assert catalogue.violations(answers) == [], (framework, database)
            alone = {**answers, "extras": ["websockets"]}
            assert ["Redis" in rule.reason for rule in catalogue.violations(alone)] == [True]
    flask_mongodb = {
        **catalogue.defaults(),
        "framework": "flask",
        "database": "mongodb",
        "extras": ["redis", "websockets"],
    }
    [rule] = catalogue.violations(flask_mongodb)
    assert "MongoDB" in rule.reason
    assert catalogue.violations({**flask_mongodb, "framework": "fastapi"}) == []
    reason = catalogue.disabled_reason(
        "extras", "websockets", {"framework": "flask", "database": "mongodb"}
    )
    assert reason == rule.reason
    assert catalogue.disabled_reason("extras", "websockets", {"framework": "flask"}) is None
