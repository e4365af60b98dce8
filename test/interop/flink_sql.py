"""Apache Flink (PyFlink + Iceberg's Flink runtime) as an independent client of an Iceberg catalog.

Usage: flink_sql.py <job.json>

The job is a JSON object:
  {
    "jars": ["/path/x.jar"],              # optional: pipeline.jars (each job's class loader)
    "setup": ["CREATE CATALOG lake WITH (...)", "USE CATALOG lake"],   # run once at start
    "mode": "batch" | "streaming",        # default batch
    "conf": {"parallelism.default": "1"}, # more Flink options (override the defaults)
    "scratch": "/tmp/dir",                # io.tmp.dirs
    "statements": ["INSERT INTO ...", "SELECT ..."]        # optional, see below
  }
The JVM's own options (heap, class path with Hadoop) come from the environment (JVM_ARGS,
HADOOP_CLASSPATH, FLINK_LOG_DIR) that PyFlink's launcher reads.

A statement may use an earlier statement's result: {{i.r.c}} is replaced by the value in statement i
(0-based), row r, column c (an index or a column name), as in spark_sql.py.

With "statements", runs them in order in one TableEnvironment, prints one line to stdout and exits:
  AICHEMY_FLINK_RESULT [{"columns": [...], "rows": [[...], ...], "ms": n}, ...]   (one per statement)
or, when a statement fails (exit status 1; later statements are not run):
  AICHEMY_FLINK_ERROR {"statement": i, "sql": "...", "exception": "...", "message": "..."}
Without, it starts the environment, prints AICHEMY_FLINK_READY, then reads batches from stdin, one
JSON object per line ({"statements": [...]}), and answers each with one RESULT or ERROR line (an
error does not end the session); it exits at end of input. A failed setup statement is reported as
an ERROR line with statement -1 before exiting with status 1.
DDL statements and INSERTs (which run to completion before the next statement) have no columns.
Values become JSON: decimals, dates, times and timestamps (ISO; TIMESTAMP_LTZ in UTC, without zone)
and other non-JSON scalars as strings, binary as hex, rows as objects (or lists without field
names), arrays as lists, maps as [key, value] pairs.
"""
import json
import os
import re
import sys
import time
from decimal import Decimal

RESULT = "AICHEMY_FLINK_RESULT "
ERROR = "AICHEMY_FLINK_ERROR "
READY = "AICHEMY_FLINK_READY"

# Statements whose TableResult is a job to wait for (its "rows affected" column is always -1).
DML = re.compile(r"^\s*(INSERT|EXECUTE|BEGIN\s+STATEMENT\s+SET|UPDATE|DELETE)\b", re.IGNORECASE)


def to_json(v):
    """A value of a collected row as JSON, converted from Flink's Java object through Py4J.

    PyFlink's own conversion (TableResult.collect() in Python) cuts timestamps to milliseconds and
    fails on TIMESTAMP_LTZ, so rows are read from the Java iterator instead: Py4J turns strings,
    numbers, booleans, BigDecimal and byte[] into Python values; the rest is formatted in Java.
    """
    from py4j.java_collections import JavaArray, JavaList, JavaMap
    from py4j.java_gateway import JavaObject
    from pyflink.java_gateway import get_gateway

    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else str(v)
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if isinstance(v, JavaMap):
        return [[to_json(k), to_json(x)] for k, x in v.items()]
    if isinstance(v, (JavaArray, JavaList, list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, JavaObject):
        jvm = get_gateway().jvm
        fmt = jvm.java.time.format.DateTimeFormatter
        cls = v.getClass().getName()
        if cls == "java.time.LocalDateTime":
            return fmt.ISO_LOCAL_DATE_TIME.format(v)
        if cls == "java.time.Instant":  # TIMESTAMP_LTZ: in UTC, like TIMESTAMP
            return fmt.ISO_LOCAL_DATE_TIME.format(jvm.java.time.LocalDateTime.ofInstant(v, jvm.java.time.ZoneOffset.UTC))
        if cls == "java.time.LocalTime":
            return fmt.ISO_LOCAL_TIME.format(v)
        if cls == "org.apache.flink.types.Row":
            fields = [to_json(v.getField(i)) for i in range(v.getArity())]
            names = v.getFieldNames(False)
            return dict(zip([str(n) for n in names], fields)) if names is not None else fields
        return v.toString()  # LocalDate (ISO) and anything else
    return str(v)


PLACEHOLDER = re.compile(r"\{\{(\d+)\.(\d+)\.(\w+)\}\}")


def substitute(sql, results):
    def value(m):
        res = results[int(m.group(1))]
        row = res["rows"][int(m.group(2))]
        col = m.group(3)
        v = row[int(col)] if col.isdigit() else row[res["columns"].index(col)]
        return v if isinstance(v, str) else json.dumps(v)

    return PLACEHOLDER.sub(value, sql)


def build_env(job):
    from pyflink.table import EnvironmentSettings, TableEnvironment

    settings = EnvironmentSettings.in_streaming_mode() if job.get("mode") == "streaming" else (
        EnvironmentSettings.in_batch_mode()
    )
    env = TableEnvironment.create(settings)
    conf = env.get_config()
    options = {
        "parallelism.default": "1",
        "table.local-time-zone": "UTC",
        "io.tmp.dirs": os.path.join(job["scratch"], "tmp"),
        # The local cluster's REST endpoint (web UI): loopback and a free port.
        "rest.bind-address": "127.0.0.1",
        "rest.address": "127.0.0.1",
        "rest.bind-port": "0",
    }
    if job.get("jars"):
        options["pipeline.jars"] = ";".join("file://" + os.path.abspath(j) for j in job["jars"])
    options.update({k: str(v) for k, v in (job.get("conf") or {}).items()})
    for k, v in options.items():
        conf.set(k, v)
    os.makedirs(options["io.tmp.dirs"], exist_ok=True)
    return env


def message_of(e):
    """Flink's message and its causes (at most 6), without the Java stack trace."""
    java = getattr(e, "java_exception", None)
    if java is not None:  # a Py4JJavaError
        parts = []
        while java is not None and len(parts) < 6:
            # Parser errors repeat their cause's message: keep each message once.
            msg = java.getMessage()
            if not parts or not msg or msg not in parts[-1]:
                parts.append(java.toString())
            cause = java.getCause()
            java = cause if cause is not None and not cause.equals(java) else None
        return "\n  caused by: ".join(parts)
    # PyFlink's own exceptions carry the Java stack trace as text: keep the exception lines.
    lines = [l for l in str(e).splitlines() if l.strip() and not l[0].isspace()]
    return "\n  ".join(lines[:6]) or type(e).__name__


def run_statement(env, sql):
    result = env.execute_sql(sql)
    if DML.match(sql):
        result.wait()
        return [], []
    from pyflink.table import ResultKind

    if result.get_result_kind() == ResultKind.SUCCESS:
        return [], []
    columns = list(result.get_resolved_schema().get_column_names())
    rows = []
    it = result._j_table_result.collect()
    try:
        while it.hasNext():
            row = it.next()
            rows.append([to_json(row.getField(i)) for i in range(len(columns))])
    finally:
        it.close()
    return columns, rows


def run_batch(env, statements):
    """Runs statements in order; returns the protocol line and whether all succeeded."""
    results = []
    for i, sql in enumerate(statements):
        t0 = time.monotonic()
        try:
            sql = substitute(sql, results)
            columns, rows = run_statement(env, sql)
        except Exception as e:  # noqa: BLE001 - report any Flink/Py4J failure as-is
            info = {"statement": i, "sql": sql, "exception": type(e).__name__, "message": message_of(e)}
            return ERROR + json.dumps(info), False
        results.append({"columns": columns, "rows": rows, "ms": round((time.monotonic() - t0) * 1000)})
    return RESULT + json.dumps(results), True


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    job = json.load(sys.stdin if path == "-" else open(path, encoding="utf8"))
    started = time.monotonic()
    env = build_env(job)
    for sql in job.get("setup") or []:
        try:
            env.execute_sql(sql)
        except Exception as e:  # noqa: BLE001
            emit(ERROR + json.dumps({"statement": -1, "sql": sql, "exception": type(e).__name__, "message": message_of(e)}))
            return 1
    sys.stderr.write(f"flink: environment ready in {round((time.monotonic() - started) * 1000)} ms\n")
    if "statements" in job:
        line, ok = run_batch(env, job["statements"])
        emit(line)
        return 0 if ok else 1
    emit(READY)
    for request in sys.stdin:
        if request.strip():
            emit(run_batch(env, json.loads(request)["statements"])[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
