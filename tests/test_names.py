import pytest

from scaffold.names import InvalidName, parse


@pytest.mark.parametrize(
    ("raw", "distribution", "package"),
    [
        ("my-api", "my-api", "my_api"),
        ("shop", "shop", "shop"),
        ("Orders_2", "orders_2", "orders_2"),
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
