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

Speaks the protocol of sql_protocol.py with the tag FLINK: with "statements", runs them in order in
one TableEnvironment and exits; without, prints AICHEMY_FLINK_READY and answers batches from stdin
(RESULT or ERROR lines, {{i.r.c}} placeholders) until end of input. ERROR objects are
  {"statement": i, "sql": "...", "exception": "...", "message": "..."}
A failed setup statement is reported as an ERROR line with statement -1 before exiting with status 1.
DDL statements and INSERTs (which run to completion before the next statement) have no columns.
Values become JSON: decimals, dates, times and timestamps (ISO; TIMESTAMP_LTZ in UTC, without zone)
and other non-JSON scalars as strings, binary as hex, rows as objects (or lists without field
names), arrays as lists, maps as [key, value] pairs.
"""
import os
import re
import sys
import time

from sql_protocol import NOT_SCALAR, Protocol, java_message, json_scalar, read_job

# Statements whose TableResult is a job to wait for (its "rows affected" column is always -1).
DML = re.compile(r"^\s*(INSERT|EXECUTE|BEGIN\s+STATEMENT\s+SET|UPDATE|DELETE)\b", re.IGNORECASE)


def to_json(v):
    """A value of a collected row as JSON, converted from Flink's Java object through Py4J.

    PyFlink's own conversion (TableResult.collect() in Python) cuts timestamps to milliseconds and
    fails on TIMESTAMP_LTZ, so rows are read from the Java iterator instead: Py4J turns strings,
    numbers, booleans, BigDecimal and byte[] into Python values; the rest is formatted in Java.
    """
    s = json_scalar(v)
    if s is not NOT_SCALAR:
        return s
    from py4j.java_collections import JavaArray, JavaList, JavaMap
    from py4j.java_gateway import JavaObject
    from pyflink.java_gateway import get_gateway

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
        return java_message(java)
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


def error_info(e, i, sql):
    return {"statement": i, "sql": sql, "exception": type(e).__name__, "message": message_of(e)}


def main():
    job = read_job()
    started = time.monotonic()
    env = build_env(job)
    protocol = Protocol("FLINK", lambda sql: run_statement(env, sql), error_info)
    for sql in job.get("setup") or []:
        try:
            env.execute_sql(sql)
        except Exception as e:  # noqa: BLE001
            protocol.emit_error(e, -1, sql)
            return 1
    sys.stderr.write(f"flink: environment ready in {round((time.monotonic() - started) * 1000)} ms\n")
    return protocol.serve(job)


if __name__ == "__main__":
    sys.exit(main())
