#!/bin/sh
# Starts the transaction counter from its distribution, or runs one of its commands:
#
#   bin/txcounter.sh start [serve options]  serve in the background (logs/console.log); the pid in logs/txcounter.pid
#   bin/txcounter.sh stop                   SIGTERM, then wait for the final flush and the exit (at most 120 s)
#   bin/txcounter.sh status                 running (exit 0) or not (exit 3)
#   bin/txcounter.sh run [serve options]    serve in the foreground (systemd's ExecStart); also with no argument
#   bin/txcounter.sh migrate                any command of txcounter.jar (count, report, nodes, verify, ...), with
#                                           a small heap and no GC log, so it never rotates the service's
#
# It runs in the distribution's home (TXCOUNTER_HOME, the directory above bin/), as MI's launcher does, so the
# relative paths of deployment.toml (data_dir = "data", keystores) resolve there and not in the caller's
# directory; give other files on its command line (report --out) as absolute paths. Logs go to logs/, the JVM's
# temporary files to tmp/; -XX:-UsePerfData keeps the JVM from writing /tmp/hsperfdata_<user> (jcmd still works),
# so the service writes nothing outside its home.
#
# Environment:
#   JAVA_HOME        the JDK or JRE (17 or later); default: java on the PATH
#   TXCOUNTER_HEAP   the service's heap settings; default "-Xms256m -Xmx1024m" (give the machine about twice -Xmx)
#   TXCOUNTER_CLI_HEAP  a command's; default "-Xms16m -Xmx256m"
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
PID_FILE=$TXCOUNTER_HOME/logs/txcounter.pid

running_pid() {
  if [ -f "$PID_FILE" ]; then
    pid=$(cat "$PID_FILE" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      echo "$pid"
      return 0
    fi
  fi
  return 1
}

case "${1:-}" in
  start)
    shift
    if pid=$(running_pid); then
      echo "txcounter: already running (pid $pid)."
      exit 0
    fi
    # The foreground form of this script, in the background: its pid is the JVM's (exec below).
    console=$TXCOUNTER_HOME/logs/console.log
    before=$( (cat "$console" 2>/dev/null || true) | wc -l)
    nohup "$TXCOUNTER_HOME/bin/txcounter.sh" run "$@" >> "$console" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$PID_FILE"
    waited=0
    while kill -0 "$pid" 2>/dev/null; do
      # This start's own line (the console log keeps earlier runs'): "... node N serving https://..."
      if tail -n +"$((before + 1))" "$console" | grep -q " serving http"; then
        echo "txcounter: started (pid $pid); logs/console.log has its start-up output, logs/txcounter.log its log."
        exit 0
      fi
      if [ "$waited" -ge 120 ]; then
        echo "txcounter: still starting after 120 s (pid $pid); see logs/console.log." >&2
        exit 1
      fi
      sleep 1
      waited=$((waited + 1))
    done
    rm -f "$PID_FILE"
    echo "txcounter: the service did not start; logs/console.log says why:" >&2
    tail -n +"$((before + 1))" "$console" | tail -n 5 >&2
    exit 1
    ;;
  stop)
    if ! pid=$(running_pid); then
      echo "txcounter: not running."
      rm -f "$PID_FILE"
      exit 0
    fi
    kill -TERM "$pid"
    waited=0
    # The service writes what it counted (the final flush) before it exits: wait for it.
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$waited" -ge 120 ]; then
        echo "txcounter: pid $pid did not stop within 120 s; it is still running." >&2
        exit 1
      fi
      sleep 1
      waited=$((waited + 1))
    done
    rm -f "$PID_FILE"
    echo "txcounter: stopped (pid $pid)."
    exit 0
    ;;
  status)
    if pid=$(running_pid); then
      echo "txcounter: running (pid $pid)."
      exit 0
    fi
    echo "txcounter: not running."
    exit 3
    ;;
  run)
    shift
    set -- serve "$@"
    ;;
esac

# The service, or a command: the command line's first word that is not an option or a .toml file.
serving=yes
for arg in "$@"; do
  case "$arg" in
    serve) break ;;
    -h|--help|-V|--version) serving=no; break ;;
    -*|*.toml) ;;
    *) serving=no; break ;;
  esac
done

if [ "$serving" = yes ]; then
  # shellcheck disable=SC2086 # TXCOUNTER_HEAP and JAVA_OPTS are lists of options
  set -- ${TXCOUNTER_HEAP:--Xms256m -Xmx1024m} \
    -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath="$TXCOUNTER_HOME/logs" \
    "-Xlog:gc*,safepoint:file=$TXCOUNTER_HOME/logs/gc.log:time,uptime,level,tags:filecount=5,filesize=20m" \
    -Dtxcounter.log.dir="$TXCOUNTER_HOME/logs" \
    ${JAVA_OPTS:-} \
    -jar "$TXCOUNTER_HOME/lib/txcounter.jar" "$@"
else
  # A command: a small heap, and neither the service's GC log (which it would rotate) nor its heap dumps.
  # shellcheck disable=SC2086
  set -- ${TXCOUNTER_CLI_HEAP:--Xms16m -Xmx256m} \
    ${JAVA_OPTS:-} \
    -jar "$TXCOUNTER_HOME/lib/txcounter.jar" "$@"
fi
exec "$JAVA" \
  -XX:+UseG1GC \
  -XX:+ExitOnOutOfMemoryError \
  -XX:-UsePerfData \
  -XX:ErrorFile="$TXCOUNTER_HOME/logs/hs_err_pid%p.log" \
  -Dfile.encoding=UTF-8 \
  -Dsun.jnu.encoding=UTF-8 \
  -Djava.io.tmpdir="$TXCOUNTER_HOME/tmp" \
  -Djava.util.prefs.userRoot="$TXCOUNTER_HOME/data/prefs" \
  -Djdk.tls.ephemeralDHKeySize=2048 \
  -Djdk.tls.rejectClientInitiatedRenegotiation=true \
  "$@"
