"""Writes the nginx configuration of the portal from dev/serve/nginx.conf.in (used by dev/services.sh and the
tests, so both run the same configuration).

usage: python dev/serve/nginx_conf.py OUT --listen 127.0.0.1:5000 --uwsgi 127.0.0.1:5080 --state DIR
                                      --rundir DIR --logdir DIR [--max-body 110m]
"""
from __future__ import annotations

import argparse
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.in")
TEMP_DIRS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")


def render(out: Path, *, listen: str, uwsgi: str, state: Path, rundir: Path, logdir: Path,
           max_body: str = "110m") -> Path:
    """Write the configuration to ``out`` (and create nginx's temporary folders under ``state/nginx``)."""
    for name in TEMP_DIRS:
        (state / "nginx" / name).mkdir(parents=True, exist_ok=True)
    values = {"@LISTEN@": listen, "@UWSGI_SOCKET@": uwsgi, "@STATE@": str(state), "@RUNDIR@": str(rundir),
              "@LOGDIR@": str(logdir), "@MAX_BODY@": max_body}
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(key, value)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--listen", required=True)
    ap.add_argument("--uwsgi", required=True)
    ap.add_argument("--state", type=Path, required=True)
    ap.add_argument("--rundir", type=Path, required=True)
    ap.add_argument("--logdir", type=Path, required=True)
    ap.add_argument("--max-body", default="110m")
    a = ap.parse_args()
    render(a.out, listen=a.listen, uwsgi=a.uwsgi, state=a.state, rundir=a.rundir, logdir=a.logdir,
           max_body=a.max_body)


if __name__ == "__main__":
    main()
