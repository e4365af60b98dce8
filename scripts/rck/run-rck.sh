#!/usr/bin/env bash
# Run the Apache Iceberg REST Compatibility Kit (RCK) against a REST catalog.
#
# The RCK is RESTCompatibilityKitCatalogTests (CatalogTests) + RESTCompatibilityKitViewCatalogTests
# (ViewCatalogTests) from org.apache.iceberg:iceberg-open-api:<ver>:tests, driven through the
# Iceberg Java RESTCatalog client. This script resolves the jars (see pom.xml next to it) into
# ~/.cache/aichemy/rck/ on first use and runs them with the JUnit console launcher. Once the cache
# is populated it needs no network.
#
# Usage:
#   scripts/rck/run-rck.sh [options] [URI]
#
#   URI / --uri URI / $RCK_URI   REST catalog base URI, e.g. http://127.0.0.1:8181/ (the client
#                                appends v1/...). Required unless --local or --fetch-only.
#   --warehouse W / $RCK_WAREHOUSE   'warehouse' catalog property (sent as ?warehouse= to
#                                GET /v1/config). RCK default when unset: "rck_warehouse".
#   --token T / $RCK_TOKEN       bearer token ('token' catalog property)
#   --credential C / $RCK_CREDENTIAL  OAuth2 client credential 'id:secret' ('credential' property)
#   --report-dir D / $RCK_REPORT_DIR  where to write JUnit XML + console log
#                                (default: ~/.cache/aichemy/rck/reports/<timestamp>)
#   --local                      run against the reference server embedded in the test JVM
#                                (rck.local=true; JdbcCatalog on in-memory SQLite, temp warehouse)
#   --port P / $RCK_LOCAL_PORT   port for --local / --serve-reference (default: a free port)
#   --serve-reference            just start the reference RESTCatalogServer in the foreground
#                                (port from --port, warehouse dir from --warehouse) and exit on ^C
#   --purge-first                before running, drop the RCK's fixed test namespaces (ns, newdb,
#                                ns1, ns2, other_ns) and their tables/views on the target via REST.
#                                The RCK's @BeforeAll fails if any of them exists, and a previous
#                                run leaves 'ns' behind, so use this when re-running against a
#                                long-lived server.
#   --only catalog|view          run only one of the two RCK classes
#   --include REGEX              only test methods matching REGEX (JUnit --include-methodname,
#                                matched against the fully qualified method name)
#   --exclude REGEX              skip test methods matching REGEX
#   -D<key>=<value>              extra system property, i.e. an extra catalog property or RCK
#                                flag, e.g. -Drck.supports-serverside-retry=false,
#                                -Dheader.X-Foo=bar, -Dio-impl=...
#   --fetch-only                 resolve/cache the classpath and exit
#   --offline                    never touch the network (fail if the cache is incomplete)
#   -q | --quiet                 don't stream the per-test tree, print only the summary
#   -- ARGS...                   passed verbatim to the JUnit console launcher
#
# RCK flags (env or -D; defaults are the RCK's own):
#   RCK_REQUIRES_NAMESPACE_CREATE     -> rck.requires-namespace-create     (catalog tests: false, view tests: true)
#   RCK_SUPPORTS_SERVERSIDE_RETRY     -> rck.supports-serverside-retry     (true)
#   RCK_OVERRIDES_REQUESTED_LOCATION  -> rck.overrides-requested-location  (false)
#   RCK_SUPPORTS_NAMES_WITH_DOT       -> rck.supports-names-with-dot       (false)
#   RCK_PURGE_TEST_NAMESPACES         -> rck.purge-test-namespaces         (true)
# Any CATALOG_* environment variable is also turned into a catalog property by the RCK itself
# (CATALOG_IO__IMPL -> io-impl, CATALOG_HEADER_X -> header.x; lower-cased).
#
# Other environment:
#   RCK_ICEBERG_VERSION (default: from pom.xml, 1.11.0)   RCK_CACHE_DIR (default ~/.cache/aichemy/rck)
#   RCK_JAVA_HOME (else JAVA_HOME / java-17; needs Java 17..22)  RCK_JAVA_OPTS (extra JVM options)
#   RCK_LOG_LEVEL (slf4j-simple level for the test JVM, default warn)
#
# Exit status: 0 if every test passed (skips allowed), 1 if any failed, 2 on usage/setup errors.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"
CACHE_DIR="${RCK_CACHE_DIR:-$HOME/.cache/aichemy/rck}"
M2_REPO="$CACHE_DIR/m2"

die() { echo "run-rck: $*" >&2; exit 2; }
log() { echo "run-rck: $*" >&2; }

# ---------------------------------------------------------------- arguments
URI="${RCK_URI:-}"
WAREHOUSE="${RCK_WAREHOUSE:-}"
TOKEN="${RCK_TOKEN:-}"
CREDENTIAL="${RCK_CREDENTIAL:-}"
REPORT_DIR="${RCK_REPORT_DIR:-}"
LOCAL_PORT="${RCK_LOCAL_PORT:-}"
MODE=remote
ONLY=""
INCLUDE=""
EXCLUDE=""
FETCH_ONLY=0
OFFLINE="${RCK_OFFLINE:-0}"
QUIET=0
PURGE_FIRST=0
SYSPROPS=()
LAUNCHER_EXTRA=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    --uri) URI="${2:?}"; shift 2 ;;
    --uri=*) URI="${1#*=}"; shift ;;
    --warehouse) WAREHOUSE="${2:?}"; shift 2 ;;
    --warehouse=*) WAREHOUSE="${1#*=}"; shift ;;
    --token) TOKEN="${2:?}"; shift 2 ;;
    --token=*) TOKEN="${1#*=}"; shift ;;
    --credential) CREDENTIAL="${2:?}"; shift 2 ;;
    --credential=*) CREDENTIAL="${1#*=}"; shift ;;
    --report-dir) REPORT_DIR="${2:?}"; shift 2 ;;
    --report-dir=*) REPORT_DIR="${1#*=}"; shift ;;
    --port) LOCAL_PORT="${2:?}"; shift 2 ;;
    --port=*) LOCAL_PORT="${1#*=}"; shift ;;
    --local) MODE=local; shift ;;
    --serve-reference) MODE=serve; shift ;;
    --only) ONLY="${2:?}"; shift 2 ;;
    --only=*) ONLY="${1#*=}"; shift ;;
    --include) INCLUDE="${2:?}"; shift 2 ;;
    --include=*) INCLUDE="${1#*=}"; shift ;;
    --exclude) EXCLUDE="${2:?}"; shift 2 ;;
    --exclude=*) EXCLUDE="${1#*=}"; shift ;;
    --fetch-only) FETCH_ONLY=1; shift ;;
    --offline) OFFLINE=1; shift ;;
    -q|--quiet) QUIET=1; shift ;;
    --purge-first) PURGE_FIRST=1; shift ;;
    -D?*) SYSPROPS+=("$1"); shift ;;
    --) shift; LAUNCHER_EXTRA+=("$@"); break ;;
    -*) die "unknown option: $1 (see --help)" ;;
    *) [[ -z "$URI" || "$URI" == "${RCK_URI:-}" ]] || die "URI given twice"; URI="$1"; shift ;;
  esac
done

case "$ONLY" in ""|catalog|view) ;; *) die "--only must be 'catalog' or 'view'" ;; esac

# ---------------------------------------------------------------- java
# Iceberg 1.11 jars are Java 17 bytecode. Hadoop 3.4's UserGroupInformation (used by HadoopFileIO,
# which the client and the reference server use for file: locations) calls Subject.getSubject,
# which throws on Java 23+ -> nearly every test fails there. So we want Java 17..22.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2; exit}'
}
pick_java() {
  local cand bin v
  if [[ -n "${RCK_JAVA_HOME:-}" ]]; then echo "$RCK_JAVA_HOME/bin/java"; return; fi   # explicit: trust it
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk* \
              /usr/lib/jvm/java-21-openjdk* /usr/lib/jvm/temurin-17* /usr/lib/jvm/temurin-21* PATH; do
    if [[ "$cand" == PATH ]]; then bin="$(command -v java || true)"; else bin="$cand/bin/java"; fi
    [[ -n "$cand" && -x "$bin" ]] || continue
    v="$(java_major "$bin")"; v="${v%%.*}"
    [[ "$v" =~ ^[0-9]+$ && "$v" -ge 17 && "$v" -le 22 ]] && { echo "$bin"; return; }
  done
}
JAVA="$(pick_java)"
[[ -n "$JAVA" && -x "$JAVA" ]] || die "no Java 17..22 found (set RCK_JAVA_HOME)"
JAVA_MAJOR="$(java_major "$JAVA")"
[[ "${JAVA_MAJOR%%.*}" =~ ^[0-9]+$ && "${JAVA_MAJOR%%.*}" -ge 17 ]] \
  || die "$JAVA is Java ${JAVA_MAJOR:-?}; Iceberg 1.11 test jars need Java 17+"
[[ "${JAVA_MAJOR%%.*}" -le 22 ]] \
  || log "WARNING: Java $JAVA_MAJOR: Hadoop's UGI fails on Java 23+ (getSubject is not supported); expect mass failures"

# ---------------------------------------------------------------- classpath (cached)
ICEBERG_VERSION="${RCK_ICEBERG_VERSION:-$(sed -n 's:.*<iceberg.version>\(.*\)</iceberg.version>.*:\1:p' "$POM" | head -1)}"
POM_HASH="$( (cat "$POM"; echo "$ICEBERG_VERSION") | sha256sum | cut -c1-16)"
LIB_DIR="$CACHE_DIR/lib/iceberg-$ICEBERG_VERSION-$POM_HASH"

resolve_classpath() {
  [[ -f "$LIB_DIR/.complete" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found and $LIB_DIR is not cached yet"
  local tmp="$LIB_DIR.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp" "$M2_REPO"
  local mvn_args=(-B -q -f "$POM" "-Dmaven.repo.local=$M2_REPO" "-Diceberg.version=$ICEBERG_VERSION"
    dependency:copy-dependencies "-DoutputDirectory=$tmp" -DincludeScope=runtime)
  log "resolving RCK classpath for Iceberg $ICEBERG_VERSION into $LIB_DIR"
  # Offline first: works whenever the local repository already holds everything.
  if ! mvn -o "${mvn_args[@]}" >"$tmp.log" 2>&1; then
    [[ "$OFFLINE" == 1 ]] && { cat "$tmp.log" >&2; rm -rf "$tmp"; die "offline and the Maven cache is incomplete"; }
    log "downloading from Maven Central (first run only)"
    if ! mvn "${mvn_args[@]}" >"$tmp.log" 2>&1; then
      cat "$tmp.log" >&2; rm -rf "$tmp"; die "dependency resolution failed"
    fi
  fi
  rm -f "$tmp.log"
  touch "$tmp/.complete"
  rm -rf "$LIB_DIR"; mv "$tmp" "$LIB_DIR"
  # drop classpaths resolved from older versions of pom.xml for this Iceberg version
  find "$CACHE_DIR/lib" -maxdepth 1 -type d -name "iceberg-$ICEBERG_VERSION-*" ! -path "$LIB_DIR" -exec rm -rf {} + 2>/dev/null || true
}
resolve_classpath
CP="$LIB_DIR/*"

if [[ "$FETCH_ONLY" == 1 ]]; then
  log "classpath ready: $LIB_DIR ($(ls "$LIB_DIR" | wc -l) jars, $(du -sh "$LIB_DIR" | cut -f1))"
  exit 0
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $(( 20000 + RANDOM % 20000 ))
}

LOG_LEVEL="${RCK_LOG_LEVEL:-warn}"
JVM_OPTS=(-Xss4m "-Dorg.slf4j.simpleLogger.defaultLogLevel=$LOG_LEVEL" -Dorg.slf4j.simpleLogger.showDateTime=true)
# shellcheck disable=SC2206
[[ -n "${RCK_JAVA_OPTS:-}" ]] && JVM_OPTS+=(${RCK_JAVA_OPTS})

# ---------------------------------------------------------------- reference server only
if [[ "$MODE" == serve ]]; then
  PORT="${LOCAL_PORT:-8181}"
  # RESTCatalogServer.main() takes its config from CATALOG_* env vars (rest.port, warehouse, ...).
  export CATALOG_REST_PORT="$PORT"
  [[ -n "$WAREHOUSE" ]] && { mkdir -p "$WAREHOUSE"; export CATALOG_WAREHOUSE="$WAREHOUSE"; }
  log "reference RESTCatalogServer (Iceberg $ICEBERG_VERSION) on http://127.0.0.1:$PORT/ warehouse=${WAREHOUSE:-<temp dir>}"
  exec "$JAVA" "${JVM_OPTS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel="${RCK_LOG_LEVEL:-info}" \
    -cp "$CP" org.apache.iceberg.rest.RESTCatalogServer
fi

# ---------------------------------------------------------------- test run
if [[ "$MODE" == remote ]]; then
  [[ -n "$URI" ]] || die "no catalog URI: pass URI, --uri or RCK_URI (or use --local)"
  SYSPROPS=("-Drck.local=false" "-Duri=$URI" "${SYSPROPS[@]}")
else
  # Embedded server: RESTServerExtension starts RESTCatalogServer in the test JVM. Its port (and
  # the client's default URI) come from the 'rest.port' property, read by the server from
  # CATALOG_* env and by the client from system properties.
  PORT="${LOCAL_PORT:-$(free_port)}"
  export CATALOG_REST_PORT="$PORT"
  # The embedded server's warehouse comes from CATALOG_WAREHOUSE (else a temp dir it never deletes).
  LOCAL_SERVER_WAREHOUSE=1
  SYSPROPS=("-Drck.local=true" "-Drest.port=$PORT" "${SYSPROPS[@]}")
  URI="http://localhost:$PORT/ (embedded)"
fi
[[ -n "$WAREHOUSE" ]] && SYSPROPS+=("-Dwarehouse=$WAREHOUSE")
[[ -n "$TOKEN" ]] && SYSPROPS+=("-Dtoken=$TOKEN")
[[ -n "$CREDENTIAL" ]] && SYSPROPS+=("-Dcredential=$CREDENTIAL")
for pair in REQUIRES_NAMESPACE_CREATE:requires-namespace-create SUPPORTS_SERVERSIDE_RETRY:supports-serverside-retry \
            OVERRIDES_REQUESTED_LOCATION:overrides-requested-location SUPPORTS_NAMES_WITH_DOT:supports-names-with-dot \
            PURGE_TEST_NAMESPACES:purge-test-namespaces; do
  var="RCK_${pair%%:*}"
  [[ -n "${!var:-}" ]] && SYSPROPS+=("-Drck.${pair#*:}=${!var}")
done

if [[ "$PURGE_FIRST" == 1 && "$MODE" == remote ]]; then
  RCK_PURGE_URI="$URI" RCK_PURGE_WAREHOUSE="${WAREHOUSE:-rck_warehouse}" RCK_PURGE_TOKEN="$TOKEN" python3 - <<'PY' || die "--purge-first failed"
import json, os, sys, urllib.error, urllib.parse, urllib.request
base = os.environ["RCK_PURGE_URI"].rstrip("/") + "/"
token = os.environ.get("RCK_PURGE_TOKEN") or ""
def call(method, path, query=None):
    url = base + path + ("?" + urllib.parse.urlencode(query) if query else "")
    req = urllib.request.Request(url, method=method, headers={"Accept": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
            return r.status, (json.loads(body) if body else None)
    except urllib.error.HTTPError as e:
        return e.code, None
st, cfg = call("GET", "v1/config", {"warehouse": os.environ["RCK_PURGE_WAREHOUSE"]})
if st != 200:
    sys.exit(f"GET v1/config -> {st}")
prefix = (cfg.get("overrides") or {}).get("prefix") or (cfg.get("defaults") or {}).get("prefix")
root = "v1/" + (urllib.parse.quote(prefix, safe="") + "/" if prefix else "")
for ns in ["ns", "newdb", "ns1", "ns2", "other_ns"]:
    if call("HEAD", f"{root}namespaces/{ns}")[0] != 204:
        continue
    for kind, key, extra in (("tables", "identifiers", {"purgeRequested": "true"}), ("views", "identifiers", None)):
        st, body = call("GET", f"{root}namespaces/{ns}/{kind}")
        for ident in (body or {}).get(key, []) if st == 200 else []:
            name = urllib.parse.quote(ident["name"], safe="")
            call("DELETE", f"{root}namespaces/{ns}/{kind}/{name}", extra)
    st, _ = call("DELETE", f"{root}namespaces/{ns}")
    print(f"run-rck: purged namespace {ns} (DELETE -> {st})", file=sys.stderr)
PY
fi

REPORT_DIR="${REPORT_DIR:-$CACHE_DIR/reports/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$REPORT_DIR"
REPORT_DIR="$(cd "$REPORT_DIR" && pwd)"
rm -f "$REPORT_DIR"/TEST-*.xml
if [[ "${LOCAL_SERVER_WAREHOUSE:-0}" == 1 ]]; then
  export CATALOG_WAREHOUSE="${WAREHOUSE:-$REPORT_DIR/warehouse}"
  mkdir -p "$CATALOG_WAREHOUSE"
fi

SELECT=()
[[ "$ONLY" != view ]] && SELECT+=(--select-class org.apache.iceberg.rest.RESTCompatibilityKitCatalogTests)
[[ "$ONLY" != catalog ]] && SELECT+=(--select-class org.apache.iceberg.rest.RESTCompatibilityKitViewCatalogTests)
FILTERS=()
[[ -n "$INCLUDE" ]] && FILTERS+=(--include-methodname "$INCLUDE")
[[ -n "$EXCLUDE" ]] && FILTERS+=(--exclude-methodname "$EXCLUDE")

LAUNCHER=("$JAVA" "${JVM_OPTS[@]}" "${SYSPROPS[@]}" -cp "$CP" org.junit.platform.console.ConsoleLauncher execute
  --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii
  --include-engine=junit-jupiter
  "--config=rck.local=$([[ "$MODE" == local ]] && echo true || echo false)"
  "--reports-dir=$REPORT_DIR" "${SELECT[@]}" "${FILTERS[@]}" "${LAUNCHER_EXTRA[@]}")

log "Iceberg RCK $ICEBERG_VERSION  target=$URI  warehouse=${WAREHOUSE:-<rck default: rck_warehouse>}  java=$JAVA_MAJOR"
log "reports -> $REPORT_DIR"
printf '%q ' "${LAUNCHER[@]}" | sed -E 's/-Dtoken=[^ ]*/-Dtoken=***/; s/-Dcredential=[^ ]*/-Dcredential=***/' > "$REPORT_DIR/command.txt"

START=$(date +%s)
set +e
# Run from the report dir: a few tests use relative paths, keep any stray files out of the caller's cwd.
cd "$REPORT_DIR"
if [[ "$QUIET" == 1 ]]; then
  "${LAUNCHER[@]}" >"$REPORT_DIR/console.log" 2>&1
else
  "${LAUNCHER[@]}" 2>&1 | tee "$REPORT_DIR/console.log"
fi
RC=${PIPESTATUS[0]}
set -e
ELAPSED=$(( $(date +%s) - START ))

# ---------------------------------------------------------------- summary
python3 - "$REPORT_DIR" "$ELAPSED" "$RC" <<'PY' || { log "summary: see $REPORT_DIR/console.log"; tail -25 "$REPORT_DIR/console.log"; }
import glob, os, sys, xml.etree.ElementTree as ET
report_dir, elapsed, rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
files = glob.glob(os.path.join(report_dir, "TEST-*.xml"))
if not files:
    sys.exit(1)
per_class, failures, skips = {}, [], []
for f in files:
    for tc in ET.parse(f).getroot().iter("testcase"):
        cls = tc.get("classname", "?").rsplit(".", 1)[-1]
        name = tc.get("name", "?")
        c = per_class.setdefault(cls, {"tests": 0, "passed": 0, "failed": 0, "skipped": 0, "time": 0.0})
        c["tests"] += 1
        c["time"] += float(tc.get("time") or 0)
        bad = tc.find("failure") if tc.find("failure") is not None else tc.find("error")
        if bad is not None:
            c["failed"] += 1
            msg = (bad.get("message") or bad.get("type") or "").strip().splitlines()
            failures.append((cls, name, msg[0][:240] if msg else ""))
        elif tc.find("skipped") is not None:
            c["skipped"] += 1
            sk = tc.find("skipped")
            skips.append((cls, name, ((sk.get("message") or sk.text or "").strip().splitlines() or [""])[0][:160]))
        else:
            c["passed"] += 1
tot = {k: sum(c[k] for c in per_class.values()) for k in ("tests", "passed", "failed", "skipped")}
print()
print("=" * 78)
print("Iceberg REST Compatibility Kit summary")
print("-" * 78)
print(f"{'class':<42}{'tests':>7}{'pass':>7}{'fail':>7}{'skip':>7}{'sec':>8}")
for cls, c in sorted(per_class.items()):
    print(f"{cls:<42}{c['tests']:>7}{c['passed']:>7}{c['failed']:>7}{c['skipped']:>7}{c['time']:>8.1f}")
print(f"{'TOTAL':<42}{tot['tests']:>7}{tot['passed']:>7}{tot['failed']:>7}{tot['skipped']:>7}{elapsed:>8}")
if failures:
    print("-" * 78)
    print(f"FAILED ({len(failures)}):")
    for cls, name, msg in sorted(failures):
        print(f"  {cls}.{name}\n      {msg}")
with open(os.path.join(report_dir, "summary.txt"), "w") as fh:
    fh.write(f"tests={tot['tests']} passed={tot['passed']} failed={tot['failed']} skipped={tot['skipped']} seconds={elapsed} launcher_rc={rc}\n")
    for cls, name, msg in sorted(failures):
        fh.write(f"FAILED {cls}.{name} :: {msg}\n")
    for cls, name, msg in sorted(skips):
        fh.write(f"SKIPPED {cls}.{name} :: {msg}\n")
print("-" * 78)
print(f"wall time {elapsed}s; reports: {report_dir} (JUnit XML, console.log, summary.txt)")
print("=" * 78)
PY

if [[ "$RC" -eq 0 ]]; then exit 0; elif [[ "$RC" -eq 1 ]]; then exit 1; else exit "$RC"; fi
