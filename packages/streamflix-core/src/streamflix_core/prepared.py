"""Hot reads compiled once and run again with new values.

Compiling a query with a few correlated subqueries costs Django several milliseconds — far
more than the database takes to answer it. :class:`PreparedValues` builds such a query once
per *shape* (its options and the length of each list value) and per database (not per
connection), with placeholder integers where the values go, and later runs the compiled SQL
with the real values bound in their place. The rows come back as ``.values()`` would give
them, with the same converters applied.

The rule for a ``build`` function: a value passed to it may reach the SQL only as a query
parameter (a filter's right-hand side, an ``IN`` list) — never decide in Python what the query
looks like, which the placeholders would decide instead. (A value the query does not use at
all is fine: there is nothing to bind.)

:class:`CompiledQueries` is the simpler kind: the caller names a key that determines the
whole query (its filters' values included), and the SQL compiled for that key is run again
as it is. Either way only the compilation is kept: every call asks the database.

On SQLite the SQL is also converted to the driver's placeholders when it is compiled, and
run by the driver directly while nobody logs or captures queries (``DEBUG``, a test's
query count, an execute wrapper), with Django's transaction check and error translation
around it; otherwise — and on other databases — it goes through Django's cursor.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

#: Placeholder integers come from far below any primary key (or other value) a query binds.
_PLACEHOLDER_BASE = -(2**62)

#: Compiled shapes kept per database (least recently used go first).
MAX_SHAPES = 128


class _PerDatabase:
    """Compiled queries by key, per database alias and backend, least recently used dropped
    first. Not per connection object: under ASGI every request thread has its own, and the
    SQL is the same for all of them. An entry keeps no cursor or compiler; its converters
    are the backend's functions (run with the connection of the request that uses them)."""

    def __init__(self, max_entries: int = MAX_SHAPES) -> None:
        self.max_entries = max_entries
        self._by_database: dict[tuple[str, str], OrderedDict[Hashable, Any]] = {}
        self._lock = threading.Lock()

    def get_or_compile(self, connection: Any, key: Hashable, compile: Callable[[], Any]) -> Any:
        database = (connection.alias, connection.vendor)
        with self._lock:
            entries = self._by_database.setdefault(database, OrderedDict())
            found = entries.get(key)
            if found is not None:
                entries.move_to_end(key)
                return found
        compiled = compile()
        with self._lock:
            entries[key] = compiled
            while len(entries) > self.max_entries:
                entries.popitem(last=False)
        return compiled


#: Django's "format" placeholders, as its SQLite backend turns them into the driver's.
_FORMAT_PLACEHOLDER = re.compile(r"(?<!%)%s")


def _driver_sql(connection: Any, sql: str) -> str | None:
    """``sql`` in the placeholders of SQLite's driver, converted once when compiled (Django's
    SQLite cursor converts it again with a pattern on every call: about 20 µs for the
    viewer-state query); ``None`` for other databases, whose drivers take Django's SQL."""
    if connection.vendor != "sqlite":
        return None
    return _FORMAT_PLACEHOLDER.sub("?", sql).replace("%%", "%")


def _run(connection: Any, sql: str, params: Sequence[Any], driver_sql: str | None) -> list[Any]:
    with connection.cursor() as cursor:
        # A plain wrapper: nobody logs or captures queries (a debug cursor would) and no
        # execute wrapper is installed, so the driver runs the converted SQL — with Django's
        # checks and error translation around it, as the wrapper would.
        plain = type(cursor) is CursorWrapper and not connection.execute_wrappers
        if driver_sql is not None and plain:
            connection.validate_no_broken_transaction()
            with connection.wrap_database_errors:
                return sqlite3.Cursor.execute(cursor.cursor, driver_sql, params).fetchall()
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    driver_sql: str | None
    #: The parameters with the placeholders still in the values' places.
    params: tuple[Any, ...]
    #: Where the values go: (position, value name); a list value's items from there on.
    bindings: tuple[tuple[int, str], ...]
    names: tuple[str, ...]
    converters: dict[int, Any]

    def bind(self, values: Mapping[str, int | Sequence[int]]) -> list[Any]:
        params = list(self.params)
        for position, name in self.bindings:
            value = values[name]
            if isinstance(value, int):
                params[position] = value
            else:
                params[position : position + len(value)] = value
        return params


class PreparedValues:
    """A ``.values()`` query compiled once per shape and database.

    ``build(**values, **options)`` returns the query set (ending in ``.values(...)``).
    ``values`` are integers or sequences of integers bound as parameters; ``options`` are
    hashable constants that may shape the query (each distinct set is compiled separately).
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *, name: str) -> None:
        self.build = build
        self.name = name
        self._compiled = _PerDatabase()

    def rows(
        self,
        *,
        using: str = DEFAULT_DB_ALIAS,
        shape: Hashable = (),
        options: Mapping[str, Hashable] | None = None,
        **values: int | Sequence[int],
    ) -> list[dict[str, Any]]:
        """The query's rows for ``values``: one query, compiled at most once per shape.

        ``shape`` is any extra hashable that changes what ``build`` produces (for example the
        providers of a hook whose expressions it includes)."""
        options = dict(options or {})
        key = (
            shape,
            tuple(sorted(options.items())),
            tuple(
                (name, None if isinstance(value, int) else len(value))
                for name, value in sorted(values.items())
            ),
        )
        connection = connections[using]
        compiled: _Compiled = self._compiled.get_or_compile(
            connection, key, lambda: self._compile(using, values, options)
        )
        fetched = _run(connection, compiled.sql, compiled.bind(values), compiled.driver_sql)
        names = compiled.names
        return [
            dict(zip(names, row, strict=True))
            for row in _converted(compiled.converters, fetched, connection)
        ]

    def _compile(
        self, using: str, values: Mapping[str, int | Sequence[int]], options: Mapping[str, Any]
    ) -> _Compiled:
        counter = itertools.count(_PLACEHOLDER_BASE)
        placeholders: dict[int, tuple[str, int | None]] = {}
        arguments: dict[str, Any] = {}
        for name, value in values.items():
            if isinstance(value, int):
                stand_in = next(counter)
                placeholders[stand_in] = (name, None)
                arguments[name] = stand_in
            else:
                stand_ins = [next(counter) for _ in value]
                placeholders.update({s: (name, i) for i, s in enumerate(stand_ins)})
                arguments[name] = stand_ins
        queryset = self.build(**arguments, **options)
        query = queryset.query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        return _Compiled(
            sql,
            _driver_sql(connections[using], sql),
            tuple(params),
            _bindings(params, placeholders),
            names,
            _converters(compiler),
        )


def _bindings(
    params: Sequence[Any], placeholders: Mapping[int, tuple[str, int | None]]
) -> tuple[tuple[int, str], ...]:
    """Where each value goes among ``params``: a list value's items must sit side by side
    in its order (an ``IN`` list), else the shape cannot be prepared."""
    bindings: list[tuple[int, str]] = []
    for position, param in enumerate(params):
        slot = placeholders.get(param) if type(param) is int else None
        if slot is None:
            continue
        name, index = slot
        if index is None or index == 0:
            bindings.append((position, name))
        elif params[position - 1] != param - 1:
            raise ValueError(f"{name!r}: a list value must be bound as one run of parameters")
    return tuple(bindings)


@dataclass(frozen=True)
class _Plain:
    sql: str
    driver_sql: str | None
    params: tuple[Any, ...]
    names: tuple[str, ...]
    converters: dict[int, Any]


class CompiledQueries:
    """Query sets compiled once per key and database, run again as they are.

    ``key`` must determine the whole query — every filter value included — as the SQL
    compiled the first time is reused for it. Bounded: the least recently used keys go."""

    def __init__(self, *, name: str, max_entries: int = 512) -> None:
        self.name = name
        self._compiled = _PerDatabase(max_entries)

    def values(
        self, key: Hashable, build: Callable[[], QuerySet[Any]], *, using: str = DEFAULT_DB_ALIAS
    ) -> list[dict[str, Any]]:
        """The rows of ``build()`` (a ``.values()`` query set, sliced or not) as dicts."""
        connection = connections[using]
        compiled: _Plain = self._compiled.get_or_compile(
            connection, ("values", key), lambda: _compile_plain(build(), using)
        )
        fetched = _run(connection, compiled.sql, compiled.params, compiled.driver_sql)
        names = compiled.names
        return [
            dict(zip(names, row, strict=True))
            for row in _converted(compiled.converters, fetched, connection)
        ]

    def count(
        self, key: Hashable, build: Callable[[], QuerySet[Any]], *, using: str = DEFAULT_DB_ALIAS
    ) -> int:
        """How many rows ``build()`` has: ``SELECT COUNT(*)`` over its compiled SQL."""
        connection = connections[using]

        def compile_count() -> tuple[str, tuple[Any, ...], str | None]:
            inner = build().order_by().values("pk")
            sql, params = inner.query.get_compiler(using=using).as_sql()
            # Django's own compiled SQL, its values still separate parameters.
            sql = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608
            return sql, tuple(params), _driver_sql(connection, sql)

        sql, params, driver_sql = self._compiled.get_or_compile(
            connection, ("count", key), compile_count
        )
        return int(_run(connection, sql, params, driver_sql)[0][0])


def _compile_plain(queryset: QuerySet[Any], using: str) -> _Plain:
    query = queryset.query
    compiler = query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    return _Plain(
        sql, _driver_sql(connections[using], sql), tuple(params), names, _converters(compiler)
    )


def _converters(compiler: SQLCompiler) -> dict[int, Any]:
    """The database and field converters of the compiled columns (what ``results_iter``
    would work out again on every call)."""
    fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
    return compiler.get_converters(fields)


def _converted(converters: dict[int, Any], rows: list[Any], connection: Any) -> list[Any]:
    """``rows`` with each column's converters applied, as the compiler would, with the
    connection of this request."""
    if not converters:
        return rows
    items = list(converters.items())
    converted = []
    for row in rows:
        values = list(row)
        for position, (functions, expression) in items:
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        converted.append(values)
    return converted
