"""Engine, request-scoped session, and the declarative base."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, MetaData, create_engine, event, pool
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {  # stable constraint names keep future migrations diffable
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 5000
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
V = TypeVar("V")
T = TypeVar("T")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, *, pool_size: int = 10, pool_timeout: float = 10,
                reads_only: bool = False) -> Engine:
    """An engine with the pragmas SQLite needs to behave like a real database.

    The pool holds ``pool_size`` connections plus as many again in a burst; a request
    that waits ``pool_timeout`` seconds for one gets a 503, never a hang. ``reads_only``
    (PostgreSQL): the engine of requests that only read, whose connections run each
    statement in a READ ONLY transaction of its own (``_read_only_connection``).
    """
    options: dict[str, Any] = {}
    if url in ("sqlite://", "sqlite:///:memory:"):
        # One shared connection, or each checkout would see a new empty database.
        options = {"poolclass": pool.StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        options = {"pool_size": pool_size, "max_overflow": pool_size, "pool_timeout": pool_timeout}
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        elif reads_only:
            options["isolation_level"] = "AUTOCOMMIT"
        else:
            options["pool_pre_ping"] = True
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    elif reads_only:
        event.listen(engine, "connect", _read_only_connection)
    return engine


def _read_only_connection(dbapi_connection: Any, _record: Any) -> None:
    """Make every transaction of a new PostgreSQL connection READ ONLY.

    The connection of a page that only reads runs each statement in a transaction of
    its own (autocommit): no BEGIN, no COMMIT and no liveness check before each page,
    three round trips to the database of the four or five a page took. Each statement
    then sees what was committed when it ran rather than one snapshot for the page,
    which a page that only reads can live with; and a connection the database dropped
    (a restart) fails that one page with a 503 and is replaced.
    """
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET default_transaction_read_only = on")
    dbapi_connection.autocommit = autocommit


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Set up each new SQLite connection: foreign keys, a busy timeout and WAL."""
    # Let SQLAlchemy, not the driver, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Begin each SQLite transaction, taking the write lock up front unless it only reads."""
    # A write transaction takes the write lock up front (BEGIN IMMEDIATE), so two
    # writers queue on the busy timeout instead of one failing later with "database is
    # locked". A read transaction (plain BEGIN) never waits: WAL lets readers carry on
    # while someone writes, and it cannot write (query_only), as PostgreSQL's READ ONLY.
    read_only = bool(connection.get_execution_options().get("read_only"))
    # Setting query_only makes SQLite throw away every statement it has compiled on the
    # connection, so it is set only when the connection's last transaction was of the
    # other kind: set on every transaction, each query of every page was compiled again.
    kept = connection.connection.info  # lives as long as the database connection
    if kept.get("query_only") is not read_only:
        connection.connection.driver_connection.execute(f"PRAGMA query_only={int(read_only)}")
        kept["query_only"] = read_only
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    """Create the engine and the session factories (one for requests that only read)."""
    engine = make_engine(app.config["DATABASE_URL"],
                         pool_size=int(app.config["DATABASE_POOL_SIZE"]),
                         pool_timeout=float(app.config["DATABASE_POOL_TIMEOUT"]))
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    # A request that only reads cannot write: on SQLite its transaction is ``query_only``
    # (``_sqlite_begin``); on PostgreSQL it has connections of its own whose every
    # statement is READ ONLY (``_read_only_connection``).
    reader: Engine = engine.execution_options(read_only=True)
    if engine.dialect.name == "postgresql":
        reader = make_engine(app.config["DATABASE_URL"],
                             pool_size=int(app.config["DATABASE_POOL_SIZE"]),
                             pool_timeout=float(app.config["DATABASE_POOL_TIMEOUT"]),
                             reads_only=True)
    app.extensions["db_read_engine"] = reader
    app.extensions["db_read_sessionmaker"] = sessionmaker(reader, expire_on_commit=False,
                                                          info={"reads_only": True})
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["db_engine"]


def engines() -> tuple[Engine, ...]:
    """The current app's engines: the one above, and on PostgreSQL that of requests that
    only read (the same engine on SQLite)."""
    reader = current_app.extensions["db_read_engine"]
    return (get_engine(),) if reader.pool is get_engine().pool else (get_engine(), reader)


def get_session() -> Session:
    """The session for the current app context (one per request or CLI run).

    Requests that only read (GET, HEAD) get a session whose SQLite transactions never
    take the write lock; every other request and every CLI command may write.
    """
    if "db_session" not in g:
        maker = "db_read_sessionmaker" if reads_only() else "db_sessionmaker"
        g.db_session = current_app.extensions[maker]()
    return g.db_session


@contextmanager
def read_only_transaction(session: Session) -> Iterator[Session]:
    """End ``session``'s transaction and run the block in one that only reads (on SQLite
    it never takes the write lock), for slow work a writing request does before it
    writes, such as fitting a matcher: the write transaction would hold the lock all
    that time. The block must not write; its transaction ends with it."""
    session.commit()
    begin_reading(session)
    try:
        yield session
    finally:
        session.commit()


def begin_reading(session: Session) -> None:
    """Begin ``session``'s next transaction as one that only reads (on SQLite it never
    takes the write lock)."""
    session.connection(execution_options={"read_only": True})


def read_while_streaming(session: Session, lines: Iterator[T]) -> Iterator[T]:
    """``lines``, read in a transaction that only reads, begun when the first is asked for.

    A streamed response is read after the request's teardown has closed its session,
    so that session's next query would begin a transaction of its own: in a request
    that wrote (a download the audit log records), one taking the write lock, held for
    as long as the client takes to download.
    """
    begin_reading(session)
    yield from lines


def writes_on_read(view: V) -> V:
    """Mark a GET view that writes (a download the audit log records): its requests get a
    session that takes the write lock up front, as every other writing request does.

    Put it right under the route decorator, so the registered view carries the mark.
    """
    view.writes_on_read = True  # type: ignore[attr-defined]
    return view


def reads_only() -> bool:
    """Whether this is a request that only reads (its session never takes the write lock)."""
    if not has_request_context() or request.method not in READ_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "writes_on_read", False)


def mark_unavailable() -> None:
    """Note that the database just failed this request (its page is a 503)."""
    g.database_unavailable = True


def database_unavailable() -> bool:
    """Whether this request's page is the 503 of a database that just failed: what the
    page shows around it (the navigation's unread count) must not ask it again."""
    return bool(g.get("database_unavailable"))


def _close_session(exc: BaseException | None) -> None:
    """Close the app context's session, if it opened one.

    A request that only read ends its transaction with COMMIT, which for a transaction
    that cannot write is the same as ROLLBACK, except to psycopg: a ROLLBACK makes it
    discard the connection's prepared statements, so on PostgreSQL every query of every
    page was parsed and planned again (about two thirds of the database's work per page).
    (Its reads now run without a transaction to end, ``_read_only_connection``.)
    """
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        if exc is None and session.info.get("reads_only") and session.is_active:
            session.commit()
    except SQLAlchemyError:
        pass  # a failed read: the close below rolls it back, nothing was written
    finally:
        session.close()  # anything not committed is rolled back
