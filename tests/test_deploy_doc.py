"""docs/deploy.md followed step by step, so that the recipe cannot rot: its systemd units (the ones written out and
the ones the text derives from them) are rendered with this machine's paths and checked by ``systemd-analyze
verify``; its uWSGI unit's commands and environment and its nginx ``server`` block serve the portal; the
worker, harvest consumers and scheduled commands of its table run against the real services (an idle harvest
consumer must outlive redis-py 8's 5 s read timeout); the upgrade steps' migrations run.

Only paths change (virtualenv, ckan.ini, log folder, ports); every command, option and unit line is the doc's.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.live import ROOT, free_port, service_env, shared_options, write_ini

DOC = ROOT / "docs" / "deploy.md"
VENV_BIN = "/usr/lib/ckan/default/bin"
DOC_INI = "/etc/ckan/default/ckan.ini"
DOC_UWSGI = "/etc/ckan/default/uwsgi.ini"
DOC_SOCKET = "127.0.0.1:5080"
UNIT = re.compile(r"/etc/systemd/system/([\w@.-]+\.(?:service|timer))")


def _blocks(text: str) -> list[tuple[str, str, str]]:
    """(language, body, the text before the block) of every fenced block of the doc."""
    out = []
    for m in re.finditer(r"```(\w*)\n(.*?)```", text, re.S):
        out.append((m.group(1), m.group(2), text[:m.start()]))
    return out


def doc_units() -> dict[str, str]:
    """The unit files the doc writes out: name -> text."""
    units: dict[str, str] = {}
    for lang, body, before in _blocks(DOC.read_text(encoding="utf-8")):
        if lang != "ini":
            continue
        parts = re.split(r"^# (/etc/systemd/system/\S+)\n", body, flags=re.M)
        if len(parts) > 1:  # several files in one block, each after its path in a comment
            for path, unit in zip(parts[1::2], parts[2::2]):
                units[UNIT.search(path).group(1)] = unit.strip() + "\n"
            continue
        last = [line for line in before.splitlines() if line.strip()][-1]
        named = UNIT.search(last)
        if named:
            units[named.group(1)] = body
    return units


def doc_table() -> list[tuple[str, str]]:
    """(unit, ckan command) rows of the « Workers, harvesting and scheduled commands » table."""
    rows = re.findall(r"^\| `([\w@.-]+\.(?:service|timer))` \| `([^`]+)` \|", DOC.read_text(encoding="utf-8"),
                      re.M)
    assert rows, "the table of units is gone from docs/deploy.md"
    return rows


def all_units() -> dict[str, str]:
    """The doc's units plus those its text derives: "the harvest consumers are the same unit with their
    command", timers "the same for" the other scheduled commands."""
    units = doc_units()
    worker = units["ckan-worker@.service"]
    worker_cmd = re.search(r"ckan\.ini (.+)$", worker, re.M).group(1)
    run_service, run_timer = units["ckan-harvest-run.service"], units["ckan-harvest-run.timer"]
    for unit, command in doc_table():
        if unit in units:
            continue
        if unit.endswith(".service"):
            units[unit] = worker.replace(worker_cmd, command).replace("%i", unit.split(".")[0])
        else:
            base = unit.rsplit(".", 1)[0]
            units[f"{base}.service"] = run_service.replace("harvester run", command)
            units[unit] = run_timer
    return units


def localize(text: str, *, venv_bin: str, ini: str, logs: str, socket: str = DOC_SOCKET) -> str:
    return (text.replace(VENV_BIN, venv_bin).replace(DOC_INI, ini).replace(DOC_UWSGI, str(ROOT / "dev/serve/uwsgi.ini"))
            .replace("/var/log/ckan/", logs + "/").replace(DOC_SOCKET, socket))


def test_every_unit_of_the_recipe_is_a_valid_systemd_unit(tmp_path):
    units = all_units()
    # what the doc's table promises is there
    names = {unit for unit, _ in doc_table()} | {"ckan-uwsgi.service"}
    assert names <= set(units), names - set(units)
    assert shutil.which("systemd-analyze"), "systemd-analyze (systemd) checks the units"
    folder = tmp_path / "system"
    folder.mkdir()
    ini = tmp_path / "ckan.ini"
    ini.write_text("[app:main]\n", encoding="utf-8")
    for name, text in units.items():
        local = localize(text, venv_bin=str(Path(sys.executable).parent), ini=str(ini), logs=str(tmp_path))
        # a template unit is verified as one of its instances
        (folder / name.replace("@.", "@1.")).write_text(local, encoding="utf-8")
    paths = sorted(str(p) for p in folder.iterdir())
    checked = subprocess.run(["systemd-analyze", "verify", *paths], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # no unknown key, no missing program (systemd-analyze only warns about some)
    assert "Unknown" not in checked.stderr and "not executable" not in checked.stderr, checked.stderr


def _unit_env_and_commands(unit: str) -> tuple[dict[str, str], list[str]]:
    env = dict(re.findall(r"^Environment=(\w+)=(\S+)$", unit, re.M))
    commands = re.findall(r"^ExecStart(?:Pre)?=(.+)$", unit, re.M)
    return env, commands


def _stop(proc: subprocess.Popen) -> None:
    sys.path.insert(0, str(ROOT / "dev" / "serve"))
    from topology import stop_process

    stop_process(proc)


def _setup(ckan_config, tmp_path, ini, venv_bin, socket=DOC_SOCKET):
    env = service_env(ckan_config)
    logs = tmp_path / "log"
    logs.mkdir()
    units = {name: localize(text, venv_bin=venv_bin, ini=str(ini), logs=str(logs), socket=socket)
             for name, text in all_units().items()}
    return env, logs, units


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "storage")
def test_the_recipe_serves_the_portal_and_runs_its_workers_and_scheduled_commands(ckan_config, tmp_path, request):
    venv_bin = str(Path(sys.executable).parent)
    socket, http = f"127.0.0.1:{free_port()}", free_port()
    ini = write_ini(tmp_path / "ckan.ini", {**shared_options(ckan_config, request.node),
                                            "ckan.site_url": f"http://127.0.0.1:{http}"})
    env, logs, units = _setup(ckan_config, tmp_path, ini, venv_bin, socket)
    started: list[subprocess.Popen] = []
    try:
        # the web unit: its ExecStartPre (asset build), then its ExecStart with its Environment=
        unit_env, (build, serve) = _unit_env_and_commands(units["ckan-uwsgi.service"])
        built = subprocess.run(build.split(), env=env, capture_output=True, text=True, timeout=300)
        assert built.returncode == 0, built.stderr[-2000:]
        with open(logs / "uwsgi.log", "wb") as out:
            started.append(subprocess.Popen(serve.split(), env={**env, **unit_env}, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True))
        # the doc's nginx server block, listening here without TLS
        block = next(body for lang, body, _ in _blocks(DOC.read_text(encoding="utf-8")) if lang == "nginx")
        block = localize(block, venv_bin=venv_bin, ini=str(ini), logs=str(logs), socket=socket)
        block = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{http};", block)
        state = tmp_path / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (state / sub).mkdir(parents=True)
        conf = state / "nginx.conf"
        shutil.copy("/etc/nginx/uwsgi_params", state / "uwsgi_params")  # `include uwsgi_params;`, beside it
        conf.write_text(
            f"daemon off;\npid {state}/nginx.pid;\nerror_log {logs}/nginx-error.log;\nevents {{}}\nhttp {{\n"
            f"access_log {logs}/nginx-access.log;\nclient_body_temp_path {state}/body;\n"
            f"proxy_temp_path {state}/proxy;\nfastcgi_temp_path {state}/fastcgi;\nuwsgi_temp_path {state}/uwsgi;\n"
            f"scgi_temp_path {state}/scgi;\n{block}}}\n", encoding="utf-8")
        tested = subprocess.run(["nginx", "-t", "-c", str(conf)], capture_output=True, text=True, timeout=30)
        assert tested.returncode == 0, tested.stderr
        started.append(subprocess.Popen(["nginx", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT, start_new_session=True))

        # the long-running units of the table: the worker(s) and the harvest consumers. An idle consumer must keep
        # waiting: on CKAN 2.12 (redis-py 8, reads time out after 5 s by default) it used to die in its BLPOP with
        # "Timeout reading from socket" (compat.keep_harvest_consumers_waiting); checked at the end, > 5 s later
        daemons = {}
        for unit, _ in doc_table():
            if not unit.endswith(".service"):
                continue
            _, (command,) = _unit_env_and_commands(units[unit])
            with open(logs / f"{unit}.log", "wb") as out:
                daemons[unit] = subprocess.Popen(command.split(), env=env, stdout=out, stderr=subprocess.STDOUT,
                                                 start_new_session=True)
            started.append(daemons[unit])

        daemons_started = time.time()
        deadline = time.time() + 120
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{http}/api/3/action/status_show", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            assert time.time() < deadline, (logs / "uwsgi.log").read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        home = requests.get(f"http://127.0.0.1:{http}/", timeout=60)
        assert home.status_code == 200 and "DataGrandEst" in home.text

        # the worker registers with rq (it started and reached Redis); the consumers keep running
        from ckan.lib.redis import connect_to_redis
        from rq import Worker

        worker = daemons["ckan-worker@.service"]
        deadline = time.time() + 90
        while worker.pid not in {w.pid for w in Worker.all(connection=connect_to_redis())}:
            assert worker.poll() is None and time.time() < deadline, (
                logs / "ckan-worker@.service.log").read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        queues = {q.name for w in Worker.all(connection=connect_to_redis()) if w.pid == worker.pid
                  for q in w.queues}
        from ckan.lib.jobs import add_queue_name_prefix

        assert queues == {add_queue_name_prefix("default"), add_queue_name_prefix("grandest:validation")}
        for unit, proc in daemons.items():
            assert proc.poll() is None, (logs / f"{unit}.log").read_text(errors="replace")[-3000:]

        # the scheduled commands (the timers' services), then the upgrade's migrations
        oneshots = [re.search(r"^ExecStart=(.+)$", units[name], re.M).group(1)
                    for name in sorted(units) if name.endswith(".service") and "Type=oneshot" in units[name]]
        assert len(oneshots) == 3, oneshots
        upgrade = re.findall(r"`ckan (db upgrade -p \w+)`", DOC.read_text(encoding="utf-8"))
        assert upgrade, "the upgrade steps are gone from docs/deploy.md"
        for command in oneshots + [f"{venv_bin}/ckan -c {ini} {step}" for step in upgrade]:
            done = subprocess.run(command.split(), env=env, capture_output=True, text=True, timeout=180)
            assert done.returncode == 0, (command, done.stdout[-1500:], done.stderr[-1500:])
        time.sleep(max(0.0, daemons_started + 12 - time.time()))  # every consumer has waited idle > 5 s
        assert any("harvest" in unit for unit in daemons), sorted(daemons)
        for unit, proc in daemons.items():
            assert proc.poll() is None, (logs / f"{unit}.log").read_text(errors="replace")[-3000:]
    finally:
        for proc in reversed(started):
            _stop(proc)
