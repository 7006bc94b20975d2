#!/usr/bin/env bash
# Installs what the portal and the tests need, skipping what is already there:
#   Debian packages (PostgreSQL 15, Redis, Chromium for browser tests), the project virtualenv (.venv) with the
#   pinned CKAN stack, and Solr 9.10.1 from Maven Central.
# usage: dev/setup.sh [--browser]
source "$(dirname "$0")/lib.sh"

WANT_BROWSER=
VERSIONS=()
for a in "$@"; do
    case $a in
        --browser) WANT_BROWSER=1 ;;
        2.1[0-9]) VERSIONS+=("$a") ;;
        *) die "usage: dev/setup.sh [--browser] [CKAN_VERSION...] (versions: $SUPPORTED_CKAN)" ;;
    esac
done
[ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=("$CKAN_VERSION")

# --- Debian packages -------------------------------------------------------------------------------------
need=()
[ -x "$PG_BIN/initdb" ] || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v curl >/dev/null || need+=(curl)
command -v nginx >/dev/null || need+=(nginx)
[ -e /usr/include/libpq-fe.h ] || [ -e /usr/include/postgresql/libpq-fe.h ] || need+=(libpq-dev)
ldconfig -p 2>/dev/null | grep -q libmagic.so.1 || need+=(libmagic1)
if [ -n "$WANT_BROWSER" ]; then
    command -v chromium >/dev/null || need+=(chromium)
    fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
fi
if [ ${#need[@]} -gt 0 ]; then
    say "Installing Debian packages: ${need[*]}"
    [ "$(id -u)" = 0 ] || die "installing ${need[*]} needs root (apt-get). Run as root, or install them yourself."
    if ! apt-get update -qq >"$LOGDIR/apt.log" 2>&1; then
        die "apt-get update failed: Debian's package servers cannot be reached. See $LOGDIR/apt.log."
    fi
    # the packages' own services (nginx on port 80, redis, postgresql) must not start: ours run on 127.0.0.1
    # with their own ports and data (policy-rc.d tells Debian's maintainer scripts not to start anything)
    policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >>"$LOGDIR/apt.log" 2>&1 \
        || { [ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d; die "apt-get install ${need[*]} failed; see $LOGDIR/apt.log."; }
    [ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
    ok "installed ${need[*]}"
fi

# --- Python virtualenvs, one per CKAN version ---------------------------------------------------------------
PYTHON=${GRANDEST_PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || die "Python 3.11 ($PYTHON) is not on PATH; set GRANDEST_PYTHON to a Python 3.11 interpreter."
for v in "${VERSIONS[@]}"; do
    select_ckan "$v"
    [ -f "$CONSTRAINTS" ] || die "no pinned constraints for CKAN $v ($CONSTRAINTS)."
    stamp_src=$( (echo "$CKAN_FULL"; cat "$CONSTRAINTS" "$ROOT/pyproject.toml" "$ROOT/setup.py") | sha256sum | cut -c1-16)
    stamp=$VENV/.grandest-installed
    if [ ! -x "$PY" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$stamp_src" ]; then
        say "Installing the Python stack into $VENV (CKAN $CKAN_FULL, scheming, dcat, harvest, frictionless)"
        # a venv made for another CKAN release is made anew rather than upgraded in place
        if [ -x "$PY" ] && [ "$("$PY" -c 'import ckan; print(ckan.__version__)' 2>/dev/null)" != "$CKAN_FULL" ]; then
            rm -rf "$VENV"
        fi
        [ -x "$PY" ] || "$PYTHON" -m venv "$VENV"
        t0=$(date +%s)
        log=$LOGDIR/pip-$v.log
        {
            "$PY" -m pip install -q --disable-pip-version-check pip==25.3 setuptools==84.2.1 wheel==0.48.0 &&
            "$PY" -m pip install -q --disable-pip-version-check -c "$CONSTRAINTS" \
                "ckan[requirements,dev]==$CKAN_FULL" -e "$ROOT[$EXTRAS]" &&
            "$PY" -m pip check
        } >"$log" 2>&1 || {
            tail -n 20 "$log" >&2
            if grep -qiE 'connection|resolve|network|timed out' "$log"; then
                die "pip could not reach PyPI; see $log."
            fi
            die "pip install (CKAN $v) failed; see $log (last lines above)."
        }
        echo "$stamp_src" >"$stamp"
        ok "Python stack for CKAN $CKAN_FULL installed in $VENV in $(( $(date +%s) - t0 ))s"
    fi
done

# --- s3proxy from Maven Central (CKAN 2.12's resource files in dev and tests; dev/s3proxy/) -----------------
bash "$ROOT/dev/s3proxy/install.sh" "$STATE/s3proxy" >>"$LOGDIR/s3proxy-install.log" 2>&1 || {
    tail -n 20 "$LOGDIR/s3proxy-install.log" >&2
    die "installing s3proxy from Maven Central failed; see $LOGDIR/s3proxy-install.log (last lines above)."
}

# --- axe-core (npm) for the accessibility checks of the browser tests (tests/axe.py) -----------------------
if [ -n "$WANT_BROWSER" ] && [ ! -f "$ROOT/dev/axe/node_modules/axe-core/axe.min.js" ]; then
    command -v npm >/dev/null || die "npm is needed for axe-core (browser tests): apt-get install npm."
    (cd "$ROOT/dev/axe" && npm ci --no-audit --no-fund) >>"$LOGDIR/npm.log" 2>&1 \
        || die "npm ci (axe-core) failed; see $LOGDIR/npm.log."
    ok "axe-core installed in dev/axe/node_modules"
fi

# --- pyright (npm) for the type check of ckanext/ (dev/typecheck, run by dev/test) -------------------------
if [ ! -x "$ROOT/dev/pyright/node_modules/.bin/pyright" ] \
    || ! grep -q "\"version\": \"$(sed -n 's/.*"pyright": "\(.*\)".*/\1/p' "$ROOT/dev/pyright/package.json")\"" \
        "$ROOT/dev/pyright/node_modules/pyright/package.json" 2>/dev/null; then
    command -v npm >/dev/null || die "npm is needed for pyright (dev/typecheck): apt-get install npm."
    (cd "$ROOT/dev/pyright" && npm ci --no-audit --no-fund) >>"$LOGDIR/npm.log" 2>&1 \
        || die "npm ci (pyright) failed; see $LOGDIR/npm.log."
    ok "pyright installed in dev/pyright/node_modules"
fi

# --- Solr from Maven Central -----------------------------------------------------------------------------
bash "$ROOT/dev/solr/install.sh" "$STATE/solr" >>"$LOGDIR/solr-install.log" 2>&1 || {
    tail -n 20 "$LOGDIR/solr-install.log" >&2
    die "installing Solr from Maven Central failed; see $LOGDIR/solr-install.log (last lines above)."
}
