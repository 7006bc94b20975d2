# shellcheck shell=bash
# Shared settings and helpers of the dev scripts (sourced, never run).
#
# Everything the scripts start listens on 127.0.0.1, keeps its data under .dev/ (ignored by git) and writes a
# log file under .dev/log/. Ports can be moved with the variables below (exported to CKAN as CKAN_* env vars).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${GRANDEST_STATE:-$ROOT/.dev}
LOGDIR=$STATE/log
RUNDIR=$STATE/run

# --- CKAN version ------------------------------------------------------------------------------------------
# The suite supports CKAN 2.12 (the default) and 2.11. Each version has its own virtualenv (side by side in the
# checkout), its own pinned constraints (dev/constraints-<version>.txt), and its own databases, Solr cores
# (CKAN checks the schema's version), Redis dbs and site ids, so both can run on the same services.
# GRANDEST_CKAN=2.11 (or `--ckan 2.11` on dev/portal and dev/test) selects the other one.
SUPPORTED_CKAN="2.12 2.11"
declare -A CKAN_RELEASE=([2.12]=2.12.0 [2.11]=2.11.6)

# select_ckan VERSION -> sets CKAN_VERSION, VENV, PY, CKAN and the version's service names (see use_env)
select_ckan() {
    local v=$1
    [[ -n ${CKAN_RELEASE[$v]:-} ]] || { echo "unsupported CKAN version '$v' (supported: $SUPPORTED_CKAN)" >&2; exit 2; }
    CKAN_VERSION=$v
    CKAN_FULL=${CKAN_RELEASE[$v]}
    CONSTRAINTS=$ROOT/dev/constraints-$v.txt
    # 2.12 keeps the plain names (.venv, ckan_dev, ckan_test...); 2.11 gets a suffix
    if [ "$v" = 2.12 ]; then VSUF=; VDIR=$STATE; REDIS_BASE=0; VENV=${GRANDEST_VENV:-$ROOT/.venv}
    else VSUF=_${v//./}; VDIR=$STATE/ckan-$v; REDIS_BASE=10; VENV=${GRANDEST_VENV:-$ROOT/.venv-$v}; fi
    PY=$VENV/bin/python
    CKAN=$VENV/bin/ckan
    DEV_DB=ckan_dev$VSUF
    TEST_DB=ckan_test$VSUF${TEST_SLOT:+_$TEST_SLOT}
    SOLR_DEV_CORE=ckan_dev$VSUF
    SOLR_TEST_CORE=ckan_test$VSUF${TEST_SLOT:+_$TEST_SLOT}
    mkdir -p "$VDIR"
    # the extras of the suite this version installs: CKAN 2.12's configured file storages get the S3 adapter
    if [ "$v" = 2.12 ]; then EXTRAS=dev,serve,s3; else EXTRAS=dev,serve; fi
}

# uses_s3 -> true when the selected CKAN version keeps its resource files in s3proxy (2.12: configured storages)
uses_s3() { [ "$CKAN_VERSION" = 2.12 ]; }

PG_PORT=${GRANDEST_PG_PORT:-54329}
REDIS_PORT=${GRANDEST_REDIS_PORT:-63799}
SOLR_PORT=${GRANDEST_SOLR_PORT:-18983}
SMTP_PORT=${GRANDEST_SMTP_PORT:-8025}
CKAN_PORT=${GRANDEST_CKAN_PORT:-5000}
UWSGI_PORT=${GRANDEST_UWSGI_PORT:-5080}
# s3proxy (dev/s3proxy/): the S3-compatible object storage of CKAN 2.12's resource files in dev and tests. Its
# access key pair is a fixed dev identity (never a production secret); DEV_S3_* are what dev/s3proxy/run.sh reads.
S3_PORT=${GRANDEST_S3_PORT:-18399}
export DEV_S3_IDENTITY=${GRANDEST_S3_IDENTITY:-grandest-dev}
export DEV_S3_CREDENTIAL=${GRANDEST_S3_CREDENTIAL:-grandest-dev-secret-not-for-production}
S3_ENDPOINT=http://127.0.0.1:$S3_PORT
GRANDEST_UWSGI_PROCESSES=${GRANDEST_UWSGI_PROCESSES:-2}
GRANDEST_UWSGI_THREADS=${GRANDEST_UWSGI_THREADS:-4}

PG_BIN=${GRANDEST_PG_BIN:-/usr/lib/postgresql/15/bin}
DB_USER=ckan_default
DB_PASS=pass
# GRANDEST_TEST_SLOT=N gives a test run its own database, Solr core, Redis db and site_id, so that several
# runs (several developers on one machine) never clean each other's data.
TEST_SLOT=${GRANDEST_TEST_SLOT:-}
[[ -z $TEST_SLOT || $TEST_SLOT =~ ^[1-9]$ ]] || { echo "GRANDEST_TEST_SLOT must be a digit 1-9" >&2; exit 2; }
SOLR_BASE=http://127.0.0.1:$SOLR_PORT/solr

mkdir -p "$LOGDIR" "$RUNDIR"
select_ckan "${GRANDEST_CKAN:-2.12}"

if [ -t 1 ]; then B=$'\e[1m'; R=$'\e[31m'; G=$'\e[32m'; Y=$'\e[33m'; N=$'\e[0m'; else B=; R=; G=; Y=; N=; fi
say()  { printf '%s==>%s %s\n' "$B" "$N" "$*"; }
ok()   { printf '    %s%s%s\n' "$G" "$*" "$N"; }
warn() { printf '%swarning:%s %s\n' "$Y" "$N" "$*" >&2; }
die()  {
    printf '%serror:%s %s\n' "$R" "$N" "$*" >&2
    report_running >&2 || true
    exit 1
}

# --- processes -------------------------------------------------------------------------------------------

# pid_alive PID -> true if the process runs. A zombie (exited, not yet reaped by its parent) still answers
# kill -0: it is not alive (a restart must not take it for the running service).
pid_alive() {
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    local stat
    stat=$(ps -o stat= -p "$1" 2>/dev/null || true)
    [ -n "$stat" ] && [ "${stat:0:1}" != Z ]
}

# pidfile_pid NAME -> prints the pid if the pid file exists and its process is alive; removes stale files.
pidfile_pid() {
    local f=$RUNDIR/$1.pid pid
    [ -f "$f" ] || return 1
    pid=$(head -n1 "$f" 2>/dev/null || true)
    if pid_alive "$pid"; then echo "$pid"; return 0; fi
    rm -f "$f"   # stale: the process is gone (crash, reboot)
    return 1
}

# port_busy PORT -> true if something listens on 127.0.0.1:PORT
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# who_listens PORT -> a human description of the process holding the port, if we can tell
who_listens() {
    if command -v ss >/dev/null 2>&1; then
        ss -ltnpH "sport = :$1" 2>/dev/null | sed -E 's/.*users:\(\("([^"]+)",pid=([0-9]+).*/\1 (pid \2)/' | head -n1
    fi
}

# start_bg NAME LOGFILE CMD... -> runs CMD detached in its own session, records its pid.
start_bg() {
    local name=$1 log=$2; shift 2
    : >>"$log"
    setsid "$@" >>"$log" 2>&1 < /dev/null &
    echo $! >"$RUNDIR/$name.pid"
}

# stop_pidfile NAME [TIMEOUT] -> SIGTERM the process group, then SIGKILL after TIMEOUT seconds.
stop_pidfile() {
    local name=$1 t=${2:-20} pid i
    pid=$(pidfile_pid "$name") || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < t * 5; i++)); do pid_alive "$pid" || break; sleep 0.2; done
    if pid_alive "$pid"; then
        warn "$name (pid $pid) did not stop after ${t}s: killing it"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUNDIR/$name.pid"
    ok "stopped $name"
}

# check_port_free NAME PORT -> dies with a clear message if the port is taken by something else.
check_port_free() {
    local name=$1 port=$2 holder
    if port_busy "$port"; then
        holder=$(who_listens "$port")
        die "$name cannot start: port 127.0.0.1:$port is already taken${holder:+ by $holder}. Stop that process, or choose another port (GRANDEST_${name^^}_PORT=...)."
    fi
}

# wait_http NAME URL TIMEOUT LOG -> waits for URL to answer 2xx.
wait_http() {
    local name=$1 url=$2 t=$3 log=$4 pidname=${5:-} i
    for ((i = 0; i < t; i++)); do
        if curl -fsS -o /dev/null --max-time 5 "$url" 2>/dev/null; then return 0; fi
        if [ -n "$pidname" ] && ! pidfile_pid "$pidname" >/dev/null; then
            tail -n 30 "$log" >&2 || true
            die "$name exited during start-up; its log is $log (last lines above)."
        fi
        sleep 1
    done
    tail -n 30 "$log" >&2 || true
    die "$name did not answer $url within ${t}s; its log is $log (last lines above)."
}

report_running() {
    local any= n pid
    for f in "$RUNDIR"/*.pid; do
        [ -e "$f" ] || continue
        n=$(basename "$f" .pid)
        if pid=$(pidfile_pid "$n"); then
            [ -n "$any" ] || echo "Still running (stop them with dev/stop):"
            any=1; echo "  - $n (pid $pid)"
        fi
    done
    if [ -f "$STATE/pg/data/postmaster.pid" ] && pid_alive "$(head -n1 "$STATE/pg/data/postmaster.pid")"; then
        [ -n "$any" ] || echo "Still running (stop them with dev/stop):"
        echo "  - postgresql (pid $(head -n1 "$STATE/pg/data/postmaster.pid"))"
    fi
}

# use_env dev|test -> exports the CKAN_* variables that point CKAN at our services (they override the ini,
# so a moved port needs no edit of dev/portal.ini or test.ini).
use_env() {
    local db=$DEV_DB core=$SOLR_DEV_CORE rdb=$REDIS_BASE site=grandest_dev$VSUF bucket=grandest-dev
    if [ "$1" = test ]; then
        db=$TEST_DB; core=$SOLR_TEST_CORE; rdb=$((REDIS_BASE + 1 + ${TEST_SLOT:-0}))
        site=grandest_test$VSUF${TEST_SLOT:+_$TEST_SLOT}; bucket=grandest-test${TEST_SLOT:+-$TEST_SLOT}
    fi
    export CKAN_SITE_ID=$site
    export CKAN_SQLALCHEMY_URL="postgresql://$DB_USER:$DB_PASS@127.0.0.1:$PG_PORT/$db"
    export CKAN_SOLR_URL="$SOLR_BASE/$core"
    export CKAN_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/$rdb"
    # s3proxy: dev/portal.ini interpolates these (CKAN hands CKAN_* variables to the ini); the tests read them
    export CKAN_S3_ENDPOINT=$S3_ENDPOINT CKAN_S3_BUCKET=$bucket
    export CKAN_S3_KEY=$DEV_S3_IDENTITY CKAN_S3_SECRET=$DEV_S3_CREDENTIAL
}
