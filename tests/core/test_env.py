import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_choice, env_int, env_list, env_str


def test_missing_required_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROOST_SOMETHING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="ROOST_SOMETHING"):
        env_str("ROOST_SOMETHING")


def test_typed_values_and_their_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROOST_N", "42")
    monkeypatch.setenv("ROOST_B", "Yes")
    monkeypatch.setenv("ROOST_L", "a, b,,c")
    assert env_int("ROOST_N", 1) == 42
    assert env_bool("ROOST_B", False) is True
    assert env_list("ROOST_L", []) == ["a", "b", "c"]
    monkeypatch.setenv("ROOST_N", "forty")
    with pytest.raises(ImproperlyConfigured, match="ROOST_N must be a whole number"):
        env_int("ROOST_N", 1)
    monkeypatch.setenv("ROOST_B", "maybe")
    with pytest.raises(ImproperlyConfigured, match="ROOST_B must be true or false"):
        env_bool("ROOST_B", False)
    monkeypatch.setenv("ROOST_MODE", "hybrid")
    with pytest.raises(ImproperlyConfigured, match="one of managed, external"):
        env_choice("ROOST_MODE", "managed", ("managed", "external"))
