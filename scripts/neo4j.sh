#!/usr/bin/env bash
# Local Neo4j Community server without Docker: build | start | stop | status | logs | import
# Settings (environment or .env): NEO4J_BOLT_PORT (7687), NEO4J_HTTP_PORT (7474), NEO4J_PASSWORD
# (empty = auth disabled), NEO4J_DATA_DIR (.neo4j), NEO4J_HEAP (1g), NEO4J_PAGECACHE (512m),
# NEO4J_START_TIMEOUT (180 s), NEO4J_IMPORT_MEMORY (off-heap memory of the bulk importer, 2g).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAUNCHER="$ROOT/launcher"
# The same file the Node app reads (src/config/app-config.ts): DOTENV_CONFIG_PATH, else the repository's .env.
ENV_FILE="${DOTENV_CONFIG_PATH:-$ROOT/.env}"
if [[ -f "$ENV_FILE" ]]; then
  # Only NEO4J_* lines: the rest of .env belongs to the Node app. One pair of surrounding quotes is
  # dropped, as dotenv does, so that a quoted password is the same password for both.
  while IFS='=' read -r key value; do
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
    [[ "$key" =~ ^NEO4J_[A-Z_]+$ ]] && [[ -z "${!key:-}" ]] && export "$key=$value"
  done < <(grep -E '^NEO4J_[A-Z_]+=' "$ENV_FILE" || true)
fi
BOLT_PORT="${NEO4J_BOLT_PORT:-7687}"
HTTP_PORT="${NEO4J_HTTP_PORT:-7474}"
PASSWORD="${NEO4J_PASSWORD-eran-graph}"
DATA_DIR="${NEO4J_DATA_DIR:-$ROOT/.neo4j}"
HEAP="${NEO4J_HEAP:-1g}"
PAGECACHE="${NEO4J_PAGECACHE:-512m}"
START_TIMEOUT="${NEO4J_START_TIMEOUT:-180}"
IMPORT_MEMORY="${NEO4J_IMPORT_MEMORY:-2g}"
PID_FILE="$DATA_DIR/neo4j.pid"
LOG_FILE="$DATA_DIR/launcher.log"

die() { echo "neo4j: $*" >&2; exit 1; }

require_tools() {
  command -v java >/dev/null 2>&1 || die "java not found: install a JDK 17 or 21 (e.g. apt install openjdk-17-jdk) or use docker compose up neo4j"
  local major
  major="$(java -version 2>&1 | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -n1)"
  if [[ -n "$major" && ( "$major" -lt 17 || "$major" -gt 21 ) ]]; then
    die "Java $major found; Neo4j 5.26 needs Java 17 or 21 (set JAVA_HOME / PATH to one)"
  fi
}

is_running() {
  [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

build() {
  require_tools
  local stamp="$LAUNCHER/target/.built"
  if [[ -f "$stamp" && -f "$LAUNCHER/target/cp.txt" && "$stamp" -nt "$LAUNCHER/pom.xml" ]] \
     && [[ -z "$(find "$LAUNCHER/src" -newer "$stamp" -type f | head -n1)" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: install Maven 3.8+ (e.g. apt install maven); it fetches Neo4j from Maven Central once"
  echo "neo4j: building the launcher (first time downloads ~150 MB of Neo4j jars into ~/.m2)"
  (cd "$LAUNCHER" && mvn -q -B compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt) \
    || die "launcher build failed (see Maven output above); is Maven Central reachable?"
  touch "$stamp"
}

port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  if is_running; then
    echo "neo4j: already running (pid $(cat "$PID_FILE")): bolt://127.0.0.1:$BOLT_PORT  http://127.0.0.1:$HTTP_PORT/browser/"
    return 0
  fi
  build
  for port in "$BOLT_PORT" "$HTTP_PORT"; do
    if port_busy "$port"; then
      die "port $port is already in use by another process (stop it, or set NEO4J_BOLT_PORT / NEO4J_HTTP_PORT)"
    fi
  done
  mkdir -p "$DATA_DIR"
  : > "$LOG_FILE"
  local began=$SECONDS
  nohup java -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC \
    --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens=java.base/java.lang=ALL-UNNAMED \
    -Dio.netty.tryReflectionSetAccessible=true \
    -Deran.home="$DATA_DIR/home" -Deran.bolt.port="$BOLT_PORT" -Deran.http.port="$HTTP_PORT" \
    -Deran.password="$PASSWORD" -Deran.pagecache="$PAGECACHE" \
    -cp "$LAUNCHER/target/classes:$(cat "$LAUNCHER/target/cp.txt")" dev.eran.launcher.Main \
    >>"$LOG_FILE" 2>&1 < /dev/null &
  echo $! > "$PID_FILE"
  while (( SECONDS - began < START_TIMEOUT )); do
    if grep -q '^READY ' "$LOG_FILE"; then
      echo "neo4j: ready in $((SECONDS - began)) s (pid $(cat "$PID_FILE"))"
      if [[ -n "$PASSWORD" ]]; then
        echo "  Bolt:    bolt://127.0.0.1:$BOLT_PORT  (user neo4j, password from NEO4J_PASSWORD)"
      else
        echo "  Bolt:    bolt://127.0.0.1:$BOLT_PORT  (auth disabled: NEO4J_PASSWORD is empty)"
      fi
      echo "  Browser: http://127.0.0.1:$HTTP_PORT/browser/"
      echo "  Logs:    $LOG_FILE"
      return 0
    fi
    if ! is_running || grep -q '^ERROR ' "$LOG_FILE"; then
      is_running && kill -KILL "$(cat "$PID_FILE")" 2>/dev/null
      rm -f "$PID_FILE"
      local cause
      cause="$(grep -m1 -E '^ERROR |Exception|Error:' "$LOG_FILE" || true)"
      die "server exited during start-up: ${cause:-see $LOG_FILE}"
    fi
    sleep 0.5
  done
  die "not ready after ${START_TIMEOUT}s; see $LOG_FILE"
}

stop() {
  if ! is_running; then
    rm -f "$PID_FILE"
    echo "neo4j: not running"
    return 0
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  kill -TERM "$pid"
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      echo "neo4j: stopped"
      return 0
    fi
    sleep 0.5
  done
  echo "neo4j: did not stop in 60 s; killing pid $pid" >&2
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

status() {
  if is_running; then
    echo "neo4j: running (pid $(cat "$PID_FILE")): bolt://127.0.0.1:$BOLT_PORT  http://127.0.0.1:$HTTP_PORT/browser/  data: $DATA_DIR"
  else
    echo "neo4j: not running (data: $DATA_DIR)"
    return 3
  fi
}

# neo4j-admin database import full (the bulk importer, part of the launcher's Maven jars) into the
# default database of this data folder, replacing it. The server must be stopped: the importer
# writes the store files directly. Arguments (--nodes=..., --relationships=..., options) are passed on.
# The database name comes first: --nodes and --relationships take several files, and would read a
# trailing name as one more.
bulk_import() {
  build
  if is_running; then
    die "the server is running (pid $(cat "$PID_FILE")); stop it first: the bulk importer writes the store files directly"
  fi
  mkdir -p "$DATA_DIR/home"
  NEO4J_HOME="$DATA_DIR/home" java -Xms"$HEAP" -Xmx"$HEAP" \
    -cp "$LAUNCHER/target/classes:$(cat "$LAUNCHER/target/cp.txt")" org.neo4j.cli.AdminTool \
    database import full neo4j --overwrite-destination --max-off-heap-memory="$IMPORT_MEMORY" \
    --report-file="$DATA_DIR/import.report" "$@"
}

case "${1:-}" in
  build) build; echo "neo4j: launcher built" ;;
  start) start ;;
  stop) stop ;;
  status) status || exit 3 ;;
  logs) tail -n "${2:-50}" "$LOG_FILE" ;;
  import) shift; bulk_import "$@" ;;
  *) echo "usage: scripts/neo4j.sh build|start|stop|status|logs|import" >&2; exit 2 ;;
esac
