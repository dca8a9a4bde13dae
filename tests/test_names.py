import pytest

from scaffold.names import MAX_LENGTH, InvalidName, parse


@pytest.mark.parametrize(
    ("raw", "distribution", "package"),
    [
        ("my-api", "my-api", "my_api"),
        ("shop", "shop", "shop"),
        ("orders_2", "orders_2", "orders_2"),
        ("customer_notification_gateway_service", *["customer_notification_gateway_service"] * 2),
        ("a" * MAX_LENGTH, "a" * MAX_LENGTH, "a" * MAX_LENGTH),
    ],
)
def test_valid_names(raw: str, distribution: str, package: str) -> None:
    name = parse(raw)
    assert (name.distribution, name.package) == (distribution, package)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("../x", "path"),
        ("/srv/api", "path"),
        ("a\\b", "path"),
        ("..", "path"),
        ("1api", "digit"),
        ("class", "keyword"),
        ("match", "keyword"),
        ("flask", "shadow"),
        ("django", "shadow"),
        ("fastapi", "shadow"),
        ("test", "shadow"),
        ("site", "shadow"),
        ("json", "shadow"),
        ("my api", "not a valid"),
        ("my--api", "not a valid"),
        ("api-", "not a valid"),
        ("café", "not a valid"),
    ],
)
def test_invalid_names_say_why(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidName, match=fragment):
        parse(raw)


def test_the_maximum_length_is_40_and_longer_names_are_refused_saying_the_limit() -> None:
    assert MAX_LENGTH == 40
    with pytest.raises(InvalidName, match=r"41 characters; the limit is 40"):
        parse("a" * 41)


@pytest.mark.parametrize(("raw", "suggestion"), [("MyAPI", "myapi"), ("Orders_2", "orders_2")])
def test_upper_case_is_refused_with_the_lowercase_suggestion(raw: str, suggestion: str) -> None:
    with pytest.raises(InvalidName, match=f"lowercase.*{suggestion!r}"):
        parse(raw)
