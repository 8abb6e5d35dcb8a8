"""Queries compiled once per shape and connection, run with new values every time."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from streamflix_core.models import Profile
from streamflix_core.prepared import CompiledQueries, PreparedValues

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(make_user: Any, make_profile: Any) -> dict[str, Any]:
    ana, ben = make_user(email="ana@example.com"), make_user(email="ben@example.com")
    return {
        "ana": ana,
        "ben": ben,
        "ana_main": make_profile(ana, name="Ana"),
        "ana_kids": make_profile(ana, name="Kids", maturity_limit=7),
        "ben_main": make_profile(ben, name="Ben"),
    }


def counting(build: Any) -> tuple[Any, list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    def wrapped(**arguments: Any) -> Any:
        calls.append(arguments)
        return build(**arguments)

    return wrapped, calls


def profiles_of(*, user_ids: list[int], ordered: bool = True) -> Any:
    profiles = Profile.objects.filter(user_id__in=user_ids)
    return profiles.order_by("name" if ordered else "-name").values("name", "is_default")


def test_a_shape_is_compiled_once_and_bound_to_new_values(accounts):
    build, calls = counting(profiles_of)
    prepared = PreparedValues(build, name="profiles")

    ana_rows = prepared.rows(user_ids=[accounts["ana"].pk])
    ben_rows = prepared.rows(user_ids=[accounts["ben"].pk])

    assert [row["name"] for row in ana_rows] == ["Ana", "Kids"]
    assert [row["name"] for row in ben_rows] == ["Ben"]
    assert len(calls) == 1
    assert calls[0]["user_ids"][0] < 0  # a stand-in, never a real value


def test_each_list_length_and_option_is_its_own_shape(accounts):
    build, calls = counting(profiles_of)
    prepared = PreparedValues(build, name="profiles")
    both = [accounts["ana"].pk, accounts["ben"].pk]

    assert len(prepared.rows(user_ids=both)) == 3
    assert [r["name"] for r in prepared.rows(user_ids=both, options={"ordered": False})] == [
        "Kids",
        "Ben",
        "Ana",
    ]
    prepared.rows(user_ids=[accounts["ana"].pk])
    prepared.rows(user_ids=both)
    assert len(calls) == 3


def test_rows_are_converted_as_values_would_give_them(accounts):
    def marked(*, profile_id: int) -> Any:
        mine = Profile.objects.filter(pk=profile_id, user_id=OuterRef("user_id"))
        return Profile.objects.order_by("pk").values("pk", "is_default", owner=Exists(mine))

    prepared = PreparedValues(marked, name="marked")
    rows = prepared.rows(profile_id=accounts["ana_kids"].pk)

    expected = list(marked(profile_id=accounts["ana_kids"].pk))
    assert rows == expected
    assert all(type(row["owner"]) is bool and type(row["is_default"]) is bool for row in rows)


def test_a_prepared_query_is_one_query(accounts):
    prepared = PreparedValues(profiles_of, name="profiles")
    prepared.rows(user_ids=[accounts["ana"].pk])
    with CaptureQueriesContext(connection) as queries:
        prepared.rows(user_ids=[accounts["ben"].pk])
    assert len(queries) == 1


def test_compiled_queries_reuse_the_sql_of_a_key_but_read_fresh_rows(accounts):
    compiled = CompiledQueries(name="profiles")
    builds: list[str] = []

    def named(name: str) -> Any:
        def build() -> Any:
            builds.append(name)
            return Profile.objects.filter(name=name).values("name", "maturity_limit")

        return build

    assert compiled.values("kids", named("Kids"))[0]["maturity_limit"] == 7
    Profile.objects.filter(name="Kids").update(maturity_limit=12)
    assert compiled.values("kids", named("Kids"))[0]["maturity_limit"] == 12
    assert compiled.count("kids", named("Kids")) == 1
    Profile.objects.filter(name="Kids").delete()
    assert compiled.count("kids", named("Kids")) == 0
    assert compiled.values("ben", named("Ben"))[0]["name"] == "Ben"
    assert builds == ["Kids", "Kids", "Ben"]  # values and count compile once each per key


def test_compiled_queries_forget_the_least_recently_used_key(accounts):
    compiled = CompiledQueries(name="profiles", max_entries=2)
    builds: list[str] = []

    def build(name: str) -> Any:
        builds.append(name)
        return Profile.objects.filter(name=name).values("name")

    for name in ("Ana", "Ben", "Ana", "Kids", "Ana", "Ben"):
        compiled.values(name, lambda name=name: build(name))
    assert builds == ["Ana", "Ben", "Kids", "Ben"]


@pytest.mark.django_db(transaction=True)
def test_a_shape_compiled_in_one_thread_serves_another_threads_connection(accounts):
    import threading

    from django.db import connections

    build, calls = counting(profiles_of)
    prepared = PreparedValues(build, name="profiles")
    assert [r["name"] for r in prepared.rows(user_ids=[accounts["ana"].pk])] == ["Ana", "Kids"]
    found: list[Any] = []

    def other_thread() -> None:
        try:
            found.append(prepared.rows(user_ids=[accounts["ben"].pk]))
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert [r["name"] for r in found[0]] == ["Ben"]
    assert len(calls) == 1  # one compilation for every connection of the database


def test_rows_read_past_djangos_cursor_equal_those_read_through_it(accounts):
    # Outside a query capture, SQLite's driver runs the SQL converted at compile time;
    # a capture (like assertNumQueries) takes Django's cursor and sees the query.
    prepared = PreparedValues(profiles_of, name="profiles")
    both = [accounts["ana"].pk, accounts["ben"].pk]
    direct = prepared.rows(user_ids=both)
    with CaptureQueriesContext(connection) as queries:
        through_django = prepared.rows(user_ids=both)
    assert direct == through_django
    assert [row["name"] for row in direct] == ["Ana", "Ben", "Kids"]
    assert len(queries) == 1


def test_the_compiled_count_and_rows_answer_the_same_past_djangos_cursor(accounts):
    compiled = CompiledQueries(name="profiles")
    user_ids = [accounts["ana"].pk]
    rows = compiled.values("ana", lambda: profiles_of(user_ids=user_ids))
    count = compiled.count("ana", lambda: profiles_of(user_ids=user_ids))
    with CaptureQueriesContext(connection):
        assert compiled.values("ana", lambda: profiles_of(user_ids=user_ids)) == rows
        assert compiled.count("ana", lambda: profiles_of(user_ids=user_ids)) == count == 2


def test_a_list_value_the_query_scatters_cannot_be_prepared(accounts):
    def scattered(*, ids: list[int]) -> Any:
        first, second = ids
        chained = Profile.objects.filter(pk=first).filter(name="x").filter(user_id=second)
        return chained.values("pk")

    with pytest.raises(ValueError, match="one run of parameters"):
        PreparedValues(scattered, name="scattered").rows(ids=[1, 2])
