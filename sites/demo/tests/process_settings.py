"""The demo's own settings for the server processes the multi-process tests start, plus a
header naming the worker that answered and a fast password hasher."""

import os

from streamflix_demo.settings import *  # noqa: F403

MIDDLEWARE = ["tests.worker_pid.WorkerPidMiddleware", *MIDDLEWARE]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if os.environ.get("STREAMFLIX_TEST_CACHE_PREFIX"):
    # Parallel runs sharing one Redis database must not share counters.
    CACHES["default"]["KEY_PREFIX"] = os.environ["STREAMFLIX_TEST_CACHE_PREFIX"]  # noqa: F405
