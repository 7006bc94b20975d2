#!/usr/bin/env bash
# usage: dev/s3proxy/run.sh STATE_DIR PORT
#   Runs s3proxy in the FOREGROUND (the caller backgrounds it and keeps the pid/log), bound to 127.0.0.1,
#   logging to stdout. exec's java, so $! of the caller is the JVM: `kill -TERM $pid` stops it.
#   Objects are plain files under STATE_DIR/data/<bucket>/<key> (jclouds "filesystem-nio2" provider: the "filesystem" one is deprecated in s3proxy 2.6).
#   STATE_DIR must have been prepared by install.sh (lib/).
# env: DEV_S3_IDENTITY / DEV_S3_CREDENTIAL (the dev access key pair; defaults in dev/lib.sh),
#      DEV_S3_HEAP (max heap, default 1g: s3proxy holds a SigV4-signed, non-chunked upload in memory to check its hash; the suite's uploader sends UNSIGNED-PAYLOAD to 127.0.0.1, streamed, but curl --aws-sigv4 or a plain boto3 sign theirs), DEV_S3_LOG_LEVEL (default WARN; INFO shows start-up), DEV_S3_JAVA_OPTS, JAVA (default java)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
USAGE="usage: run.sh STATE_DIR PORT"
STATE=${1:?$USAGE}; PORT=${2:?$USAGE}
die() { echo "run.sh: ERROR: $*" >&2; exit 2; }
[[ -f $STATE/lib/.stamp ]] || die "$STATE is not installed; run: $HERE/install.sh $STATE"
[[ $PORT =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$PORT'"
STATE=$(cd "$STATE" && pwd)
mkdir -p "$STATE/data"
: "${DEV_S3_IDENTITY:?DEV_S3_IDENTITY is not set (dev/lib.sh sets it)}"
: "${DEV_S3_CREDENTIAL:?DEV_S3_CREDENTIAL is not set (dev/lib.sh sets it)}"

# the configuration is rewritten on every start (port and keys may have moved); it holds only dev keys
umask 077
cat >"$STATE/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$DEV_S3_IDENTITY
s3proxy.credential=$DEV_S3_CREDENTIAL
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem-nio2
jclouds.identity=$DEV_S3_IDENTITY
jclouds.credential=$DEV_S3_CREDENTIAL
jclouds.filesystem.basedir=$STATE/data
PROPS

# shellcheck disable=SC2086
exec "${JAVA:-java}" -Xms64m -Xmx"${DEV_S3_HEAP:-1g}" -XX:+ExitOnOutOfMemoryError \
  -Djava.awt.headless=true -Duser.timezone=UTC -Dfile.encoding=UTF-8 -Dlogback.configurationFile="$HERE/logback.xml" -Ds3proxy.log.level="${DEV_S3_LOG_LEVEL:-WARN}" \
  ${DEV_S3_JAVA_OPTS:-} \
  -cp "$STATE/lib/*" org.gaul.s3proxy.Main --properties "$STATE/s3proxy.properties"
