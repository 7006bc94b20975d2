# shellcheck shell=bash
# Start/stop functions for the real services (sourced by dev/portal, dev/test, dev/stop).
# Each start_* is idempotent: a service already running (ours) is reused; a port taken by something else, a
# stale pid file, or a service that does not come up ends with a message naming the service and its log.

# --- PostgreSQL 15 ---------------------------------------------------------------------------------------
# initdb refuses root: the cluster belongs to the `postgres` system user. Its data dir must be reachable by
# that user; when the checkout sits under a folder it cannot traverse (e.g. /root), the data lives in
# /var/tmp/grandest-<hash>/ and .dev/pg points to it. Paths handed to the server are the resolved ones (going
# through the link would need the same traversal), and its log then lives there too (.dev/log/postgres.log is
# a link to it).
pg_dir() {
    if [ ! -L "$STATE/pg" ] && [ ! -d "$STATE/pg" ]; then
        mkdir -p "$STATE"
        if [ "$(id -u)" = 0 ] && ! su postgres -s /bin/sh -c "test -x '$STATE'" 2>/dev/null; then
            local alt=/var/tmp/grandest-$(echo "$ROOT" | sha256sum | cut -c1-12)/pg
            mkdir -p "$alt" && ln -sfn "$alt" "$STATE/pg"
        else
            mkdir -p "$STATE/pg"
        fi
    fi
    readlink -f "$STATE/pg"
}

pg_log() {
    local d
    d=$(pg_dir)
    if [ -L "$STATE/pg" ]; then
        ln -sfn "$d/postgres.log" "$LOGDIR/postgres.log"
        echo "$d/postgres.log"
    else
        echo "$LOGDIR/postgres.log"
    fi
}

as_pg() {
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

pg_running() {
    local d
    d=$(pg_dir)
    [ -f "$d/data/postmaster.pid" ] && as_pg "'$PG_BIN/pg_ctl' -D '$d/data' status" >/dev/null 2>&1
}

start_postgres() {
    local d log
    d=$(pg_dir)
    log=$(pg_log)
    if pg_running; then ok "postgresql already running on 127.0.0.1:$PG_PORT"; return 0; fi
    [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 binaries not found in $PG_BIN (apt-get install postgresql)."
    check_port_free pg "$PG_PORT"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$d"; chmod 700 "$d"; fi
    touch "$log"; [ "$(id -u)" = 0 ] && chown postgres: "$log"
    if [ ! -f "$d/data/PG_VERSION" ]; then
        say "Creating the PostgreSQL cluster in $d/data"
        rm -rf "$d/data"
        as_pg "'$PG_BIN/initdb' -D '$d/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >>"$log" 2>&1 \
            || die "initdb failed; see $log."
    fi
    mkdir -p "$d/run"; [ "$(id -u)" = 0 ] && chown postgres: "$d/run"
    # a postmaster.pid left by a crash is handled by pg_ctl itself (it checks the pid).
    as_pg "'$PG_BIN/pg_ctl' -D '$d/data' -l '$log' -w -t 60 \
        -o \"-p $PG_PORT -k $d/run -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" \
        >/dev/null 2>&1 || { tail -n 20 "$log" >&2; die "PostgreSQL did not start; its log is $log (last lines above)."; }
    ok "postgresql on 127.0.0.1:$PG_PORT (log $log)"
}

stop_postgres() {
    local d
    d=$(pg_dir)
    if pg_running; then
        as_pg "'$PG_BIN/pg_ctl' -D '$d/data' -m fast -w -t 60 stop" >/dev/null 2>&1 || warn "pg_ctl stop failed"
        ok "stopped postgresql"
    fi
}

psql_admin() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

ensure_db() {
    local db=$1
    psql_admin -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'" | grep -q 1 \
        || psql_admin -d postgres -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASS'"
    psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
        || psql_admin -d postgres -c "CREATE DATABASE $db OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0"
}

# --- Redis -----------------------------------------------------------------------------------------------
start_redis() {
    local log=$LOGDIR/redis.log
    if pidfile_pid redis >/dev/null; then ok "redis already running on 127.0.0.1:$REDIS_PORT"; return 0; fi
    check_port_free redis "$REDIS_PORT"
    mkdir -p "$STATE/redis"
    # 32 dbs: CKAN 2.12 uses dbs 0-10 (dev, tests, test slots), CKAN 2.11 dbs 10-20 (see use_env in dev/lib.sh)
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --databases 32 --save "" --appendonly no --daemonize yes \
        --pidfile "$RUNDIR/redis.pid" --logfile "$log" --dir "$STATE/redis" >/dev/null \
        || die "redis-server did not start; its log is $log."
    local i
    for ((i = 0; i < 50; i++)); do
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
        sleep 0.1
    done
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG \
        || die "redis does not answer PING on 127.0.0.1:$REDIS_PORT; its log is $log."
    ok "redis on 127.0.0.1:$REDIS_PORT (log $log)"
}
stop_redis() {
    if pidfile_pid redis >/dev/null; then
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
        stop_pidfile redis 10
        ok "stopped redis"
    fi
}

# --- Solr 9 (from Maven Central; see dev/solr/README.md) -------------------------------------------------
# start_solr -> Solr with the selected CKAN version's cores (dev and test); another version's cores are added to
# the running Solr by calling it again after select_ckan (each version's cores get that version's schema.xml).
start_solr() {
    local log=$LOGDIR/solr.log schema core
    schema=$("$PY" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config/solr/schema.xml"))')
    bash "$ROOT/dev/solr/make-home.sh" "$STATE/solr/home" "$schema" "$SOLR_DEV_CORE" "$SOLR_TEST_CORE" >>"$LOGDIR/solr-install.log" 2>&1 \
        || die "could not prepare the Solr home; see $LOGDIR/solr-install.log."
    if pidfile_pid solr >/dev/null; then
        ok "solr already running on $SOLR_BASE"
    else
        check_port_free solr "$SOLR_PORT"
        : >"$log"
        start_bg solr "$log" bash "$ROOT/dev/solr/run.sh" "$STATE/solr" "$STATE/solr/home" "$SOLR_PORT"
    fi
    local t0=$SECONDS i
    # the launcher prints "SOLR READY" once every core found in the home at start-up has loaded
    for ((i = 0; i < 240; i++)); do
        grep -q "SOLR READY" "$log" 2>/dev/null && break
        pidfile_pid solr >/dev/null || { tail -n 30 "$log" >&2; die "solr exited during start-up; its log is $log (last lines above)."; }
        sleep 0.5
    done
    grep -q "SOLR READY" "$log" 2>/dev/null || { tail -n 30 "$log" >&2; die "solr did not start within 120s; its log is $log (last lines above)."; }
    # a core added to the home while Solr runs (another CKAN version, a new test slot) is registered through
    # the CoreAdmin API
    for core in "$SOLR_DEV_CORE" "$SOLR_TEST_CORE"; do
        curl -fsS -o /dev/null "$SOLR_BASE/$core/admin/ping?wt=json" 2>/dev/null && continue
        rm -f "$STATE/solr/home/$core/core.properties"   # CREATE writes it; it refuses an existing one
        curl -fsS -o /dev/null "$SOLR_BASE/admin/cores?action=CREATE&name=$core&instanceDir=$core" \
            || die "could not create the Solr core $core; see $log."
    done
    for core in "$SOLR_DEV_CORE" "$SOLR_TEST_CORE"; do
        wait_http solr "$SOLR_BASE/$core/admin/ping?wt=json" 120 "$log" solr
    done
    ok "solr on $SOLR_BASE, cores $SOLR_DEV_CORE and $SOLR_TEST_CORE for CKAN $CKAN_VERSION (ready in $((SECONDS - t0))s, log $log)"
}
stop_solr() { stop_pidfile solr 30; }

# --- s3proxy (S3 API over plain files, from Maven Central; see dev/s3proxy/) -------------------------------
# Objects live under .dev/s3proxy/data/<bucket>/; CKAN's S3 storage creates its bucket on first use.
# s3_ready -> true when s3proxy answers a ListBuckets signed (SigV4) with the dev key pair
s3_ready() {
    local empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --aws-sigv4 "aws:amz:us-east-1:s3" \
        -H "x-amz-content-sha256: $empty" --user "$DEV_S3_IDENTITY:$DEV_S3_CREDENTIAL" "$S3_ENDPOINT/" 2>/dev/null)" = 200 ]
}
start_s3proxy() {
    local log=$LOGDIR/s3proxy.log i t0=$SECONDS
    if pidfile_pid s3proxy >/dev/null; then
        s3_ready || die "s3proxy runs (pid $(pidfile_pid s3proxy)) but refuses the dev key pair on $S3_ENDPOINT; stop it (dev/stop) and start again."
        ok "s3proxy already running on $S3_ENDPOINT"; return 0
    fi
    check_port_free s3 "$S3_PORT"
    [ -f "$STATE/s3proxy/lib/.stamp" ] || bash "$ROOT/dev/s3proxy/install.sh" "$STATE/s3proxy" >>"$LOGDIR/s3proxy-install.log" 2>&1 \
        || die "installing s3proxy from Maven Central failed; see $LOGDIR/s3proxy-install.log."
    : >"$log"
    start_bg s3proxy "$log" bash "$ROOT/dev/s3proxy/run.sh" "$STATE/s3proxy" "$S3_PORT"
    for ((i = 0; i < 120; i++)); do
        s3_ready && break
        pidfile_pid s3proxy >/dev/null || { tail -n 30 "$log" >&2; die "s3proxy exited during start-up; its log is $log (last lines above)."; }
        sleep 0.5
    done
    s3_ready || { tail -n 30 "$log" >&2; die "s3proxy did not answer on $S3_ENDPOINT within 60s; its log is $log (last lines above)."; }
    ok "s3proxy on $S3_ENDPOINT, objects in $STATE/s3proxy/data (ready in $((SECONDS - t0))s, log $log)"
}
stop_s3proxy() { stop_pidfile s3proxy 20; }

# --- SMTP capture (aiosmtpd, mail kept as a Maildir in .dev/mail) -----------------------------------------
start_smtp() {
    local log=$LOGDIR/smtp.log
    if pidfile_pid smtp >/dev/null; then ok "smtp capture already running on 127.0.0.1:$SMTP_PORT"; return 0; fi
    check_port_free smtp "$SMTP_PORT"
    mkdir -p "$STATE/mail/tmp" "$STATE/mail/new" "$STATE/mail/cur"  # a Maildir: aiosmtpd creates none of them when the folder exists
    start_bg smtp "$log" "$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$STATE/mail"
    local i
    for ((i = 0; i < 50; i++)); do port_busy "$SMTP_PORT" && break; sleep 0.2; done
    port_busy "$SMTP_PORT" || die "the SMTP capture server did not start; its log is $log."
    ok "smtp capture on 127.0.0.1:$SMTP_PORT, mail saved in $STATE/mail (log $log)"
}
stop_smtp() { stop_pidfile smtp 10; }

# --- uWSGI + nginx: CKAN served as in production (dev/serve/) ----------------------------------------------
# start_uwsgi INI LOG -> uWSGI master + workers serving CKAN (uwsgi protocol on 127.0.0.1:$UWSGI_PORT)
start_uwsgi() {
    local ini=$1 log=$2
    if pidfile_pid web >/dev/null; then ok "CKAN (uWSGI) already running"; return 0; fi
    check_port_free uwsgi "$UWSGI_PORT"
    CKAN_INI=$ini GRANDEST_UWSGI_SOCKET=127.0.0.1:$UWSGI_PORT \
        GRANDEST_UWSGI_PROCESSES=$GRANDEST_UWSGI_PROCESSES GRANDEST_UWSGI_THREADS=$GRANDEST_UWSGI_THREADS \
        start_bg web "$log" "$VENV/bin/uwsgi" --ini "$ROOT/dev/serve/uwsgi.ini"
}

# start_nginx PORT MAX_BODY -> nginx on 127.0.0.1:PORT in front of uWSGI (config rendered in .dev/nginx/), with
# the cache of anonymous pages unless GRANDEST_NGINX_CACHE=0
start_nginx() {
    local port=$1 body=$2 conf=$STATE/nginx/nginx.conf log=$LOGDIR/nginx-error.log
    if pidfile_pid nginx >/dev/null; then ok "nginx already running on 127.0.0.1:$port"; return 0; fi
    command -v nginx >/dev/null || die "nginx is not installed (apt-get install nginx)."
    check_port_free ckan "$port"
    "$PY" "$ROOT/dev/serve/nginx_conf.py" "$conf" --listen "127.0.0.1:$port" --uwsgi "127.0.0.1:$UWSGI_PORT" \
        --state "$STATE" --rundir "$RUNDIR" --logdir "$LOGDIR" --max-body "$body" \
        $([ "${GRANDEST_NGINX_CACHE:-1}" = 0 ] || echo --cache)
    nginx -t -c "$conf" >>"$log" 2>&1 || { tail -n 5 "$log" >&2; die "the nginx configuration $conf is refused; see $log."; }
    start_bg nginx "$log" nginx -c "$conf"
}
stop_nginx() { stop_pidfile nginx 10; }
