"""How `make run` serves the app: gunicorn, a production WSGI server that runs on a laptop.

The address comes from the command line (`--bind HOST:PORT`); everything else is here,
so `make run`, a deployment and the tests start the app the same way. See README, "Serving".
"""

wsgi_app = "wsgi:app"
workers = 2  # processes: a request that blocks one (a big matching round) leaves the other
# One request at a time per worker (gunicorn's sync worker). A request here is mostly
# Python work with short database calls, so threads in one process only take turns
# holding the interpreter lock: each database call gives it up and then waits for it.
# Measured on 2 cores: with 4 threads per worker a dashboard cost 20-50 % more CPU per
# request and its p99 was 70-230 ms, against 30-90 ms (README, "Performance of pages").
# Slow clients are for a buffering reverse proxy in front (README, "Serving").
worker_class = "sync"
threads = 1
timeout = 120  # a matching round of a few hundred people fits with room to spare
accesslog = "-"
errorlog = "-"
# Responses say `Server: gunicorn`, without a version (gunicorn sends no more than that).
# No runtime control socket: its default path is one per user ($HOME/.gunicorn), so two
# instances (two checkouts, parallel tests) would fight over it, and a demo needs none.
control_socket_disable = True


def post_worker_init(worker: object) -> None:
    """Once a worker serves, configure the mapped models and build the matching engine's
    set-up in the background.

    Never at import: the app starts fast, and the first suggestion request finds the
    engine's libraries loaded instead of paying for them.

    What is loaded by then (the app, later the engine's tables: ``warm_engine`` freezes
    those) lives as long as the worker: ``gc.freeze`` takes it out of the garbage
    collector's full passes, which would otherwise walk those few hundred thousand
    objects again and again, pausing every request in the worker for 60-110 ms each time.
    """
    import gc

    # Imported here: this file is read by the master process, which must not load the app.
    from sqlalchemy.orm import configure_mappers

    from mentorship.services.matches import warm_engine

    configure_mappers()  # left out of the import, so the first request does not pay it
    gc.freeze()
    warm_engine()
