"""How `make run` serves the app: gunicorn, a production WSGI server that runs on a laptop.

The address comes from the command line (`--bind HOST:PORT`); everything else is here,
so `make run`, a deployment and the tests start the app the same way. See README, "Serving".
"""

wsgi_app = "wsgi:app"
workers = 2  # processes: a request that blocks one (a big matching round) leaves the other
threads = 4  # per worker; requests mostly wait on the database
timeout = 120  # a matching round of a few hundred people fits with room to spare
accesslog = "-"
errorlog = "-"
# Responses say `Server: gunicorn`, without a version (gunicorn sends no more than that).
# No runtime control socket: its default path is one per user ($HOME/.gunicorn), so two
# instances (two checkouts, parallel tests) would fight over it, and a demo needs none.
control_socket_disable = True
