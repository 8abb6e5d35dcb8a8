"""gunicorn settings of the demo's HTTP API.

``gunicorn -c python:streamflix_demo.gunicorn_conf --bind 0.0.0.0:8000 --workers 4`` (the
command line wins over these). The worker timeout comes from ``STREAMFLIX_HTTP_WORKER_TIMEOUT``,
the variable the site's settings give core as ``HTTP_WORKER_TIMEOUT_SECONDS``, so billing's
system check measures its Stripe budget against the timeout gunicorn really enforces.
"""

from streamflix_demo import env

env.load_env_file()

wsgi_app = "streamflix_demo.wsgi:application"
timeout = env.http_worker_timeout()
graceful_timeout = timeout
# Behind a proxy: keep-alive connections from it outlive one request.
keepalive = 5
