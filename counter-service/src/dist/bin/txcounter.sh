#!/bin/sh
# Starts the transaction counter from its distribution, or runs one of its commands:
#
#   bin/txcounter.sh                      serve, with conf/deployment.toml
#   bin/txcounter.sh migrate              any command of txcounter.jar (count, report, nodes, verify, ...)
#
# It runs in the distribution's home (TXCOUNTER_HOME, the directory above bin/), as MI's launcher does, so the
# relative paths of deployment.toml (data_dir = "data", keystores) resolve there and not in the caller's
# directory; give other files on its command line (report --out) as absolute paths. Logs go to logs/, the JVM's
# temporary files to tmp/; -XX:-UsePerfData keeps the JVM from writing /tmp/hsperfdata_<user> (jcmd still works),
# so the service writes nothing outside its home.
#
# Environment:
#   JAVA_HOME        the JDK or JRE (17 or later); default: java on the PATH
#   TXCOUNTER_HEAP   heap settings; default "-Xms256m -Xmx1024m" (give the machine about twice -Xmx)
#   JAVA_OPTS        further JVM options, after the defaults, so they win (e.g. -Xmx2048m)
set -eu

program=$0
while [ -h "$program" ]; do
  link=$(ls -ld "$program" | sed 's/.*-> //')
  case "$link" in
    /*) program=$link ;;
    *) program=$(dirname "$program")/$link ;;
  esac
done
TXCOUNTER_HOME=$(cd "$(dirname "$program")/.." && pwd -P)

if [ -n "${JAVA_HOME:-}" ]; then
  JAVA=$JAVA_HOME/bin/java
else
  JAVA=$(command -v java || true)
fi
if [ -z "$JAVA" ] || [ ! -x "$JAVA" ]; then
  echo "txcounter: no Java found. Install a JDK or JRE 17 or later, or set JAVA_HOME." >&2
  exit 2
fi

for dir in logs data tmp; do
  if ! mkdir -p "$TXCOUNTER_HOME/$dir" 2>/dev/null || [ ! -w "$TXCOUNTER_HOME/$dir" ]; then
    echo "txcounter: $TXCOUNTER_HOME/$dir is not writable by $(id -un). Give the service user that directory:" \
      "chown -R $(id -un) $TXCOUNTER_HOME/$dir" >&2
    exit 2
  fi
done

if [ -e "$TXCOUNTER_HOME/conf/deployment.toml" ] && [ ! -r "$TXCOUNTER_HOME/conf/deployment.toml" ]; then
  echo "txcounter: $TXCOUNTER_HOME/conf/deployment.toml is not readable by $(id -un); it is owner-only (it holds" \
    "secrets). Give the service user the conf directory: chown -R $(id -un) $TXCOUNTER_HOME/conf" >&2
  exit 2
fi

cd "$TXCOUNTER_HOME"
# Everything the JVM creates (logs and their archives, gc.log, heap dumps, the data) is the service user's alone.
umask 077
# shellcheck disable=SC2086 # TXCOUNTER_HEAP and JAVA_OPTS are lists of options
exec "$JAVA" \
  ${TXCOUNTER_HEAP:--Xms256m -Xmx1024m} \
  -XX:+UseG1GC \
  -XX:+ExitOnOutOfMemoryError \
  -XX:-UsePerfData \
  -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath="$TXCOUNTER_HOME/logs" \
  -XX:ErrorFile="$TXCOUNTER_HOME/logs/hs_err_pid%p.log" \
  "-Xlog:gc*,safepoint:file=$TXCOUNTER_HOME/logs/gc.log:time,uptime,level,tags:filecount=5,filesize=20m" \
  -Dfile.encoding=UTF-8 \
  -Dsun.jnu.encoding=UTF-8 \
  -Djava.io.tmpdir="$TXCOUNTER_HOME/tmp" \
  -Djava.util.prefs.userRoot="$TXCOUNTER_HOME/data/prefs" \
  -Djdk.tls.ephemeralDHKeySize=2048 \
  -Djdk.tls.rejectClientInitiatedRenegotiation=true \
  -Dtxcounter.log.dir="$TXCOUNTER_HOME/logs" \
  ${JAVA_OPTS:-} \
  -jar "$TXCOUNTER_HOME/lib/txcounter.jar" "$@"
