"""Writes the nginx configuration of the portal from dev/serve/nginx.conf.in (used by dev/services.sh, the
tests and the bench, so that all of them run the same configuration).

``--uwsgi`` may be given several times: one upstream server per uWSGI instance (a topology of several nodes,
dev/serve/topology.py). ``--cache`` turns the cache of anonymous pages on (the ``#cache#`` lines).

usage: python dev/serve/nginx_conf.py OUT --listen 127.0.0.1:5000 --uwsgi 127.0.0.1:5080 [--uwsgi ...]
                                      --state DIR --rundir DIR --logdir DIR [--max-body 110m] [--cache]
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.in")
TEMP_DIRS = ("body", "proxy", "fastcgi", "uwsgi", "scgi", "cache")
CACHE_MARK = "#cache#"


def render(out: Path, *, listen: str, uwsgi: str | Sequence[str], state: Path, rundir: Path, logdir: Path,
           max_body: str = "110m", cache: bool = False, session_cookie: str = "ckan") -> Path:
    """Write the configuration to ``out`` (and create nginx's temporary folders under ``state/nginx``).

    ``uwsgi``: the address of the uWSGI instance, or of each one; ``cache``: cache anonymous pages;
    ``session_cookie``: CKAN's session cookie (SESSION_COOKIE_NAME), whose presence bypasses the cache."""
    for name in TEMP_DIRS:
        (state / "nginx" / name).mkdir(parents=True, exist_ok=True)
    servers = [uwsgi] if isinstance(uwsgi, str) else list(uwsgi)
    if not servers:
        raise ValueError("at least one uWSGI address")
    upstream = "\n".join(f"        server {s};" for s in servers)
    values = {"@LISTEN@": listen, "@UPSTREAM_SERVERS@": upstream, "@STATE@": str(state),
              "@RUNDIR@": str(rundir), "@LOGDIR@": str(logdir), "@MAX_BODY@": max_body,
              "@SESSION_COOKIE@": session_cookie,
              # started by root (a container), nginx's workers would run as nobody and could not write the cache
              # under a folder only root may enter; a production nginx runs as www-data with its own folders
              "@USER@": "user root;\n" if os.geteuid() == 0 else ""}
    lines = []
    for line in TEMPLATE.read_text(encoding="utf-8").splitlines():
        if line.startswith(CACHE_MARK):
            if not cache:
                continue
            line = line[len(CACHE_MARK):]
        lines.append(line)
    text = "\n".join(lines) + "\n"
    for key, value in values.items():
        text = text.replace(key, value)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--listen", required=True)
    ap.add_argument("--uwsgi", required=True, action="append")
    ap.add_argument("--state", type=Path, required=True)
    ap.add_argument("--rundir", type=Path, required=True)
    ap.add_argument("--logdir", type=Path, required=True)
    ap.add_argument("--max-body", default="110m")
    ap.add_argument("--cache", action="store_true", help="cache anonymous pages where CKAN allows it")
    ap.add_argument("--session-cookie", default="ckan")
    a = ap.parse_args()
    render(a.out, listen=a.listen, uwsgi=a.uwsgi, state=a.state, rundir=a.rundir, logdir=a.logdir,
           max_body=a.max_body, cache=a.cache, session_cookie=a.session_cookie)


if __name__ == "__main__":
    main()
