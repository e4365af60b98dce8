"""Apache Spark (pyspark + Iceberg's Spark runtime) as an independent client of an Iceberg catalog.

Usage: spark_sql.py <job.json>

The job is a JSON object:
  {
    "jar": "/path/iceberg-spark-runtime-3.5_2.12-<v>.jar",
    "catalog": "rest",                    # Spark catalog name, also spark.sql.defaultCatalog
    "type": "rest" | "hadoop",
    "uri": "http://127.0.0.1:8181",       # type=rest only
    "warehouse": "file:/tmp/wh",          # optional for rest, required for hadoop
    "token": "...", "credential": "...",  # optional, type=rest only
    "catalogProperties": {"k": "v"},      # more spark.sql.catalog.<name>.* properties
    "conf": {"spark.k": "v"},             # more Spark properties
    "javaOptions": ["-X..."],             # appended to the driver JVM's default options
    "scratch": "/tmp/dir",                # spark.sql.warehouse.dir and spark.local.dir
    "statements": ["CREATE TABLE ...", "SELECT ..."]       # optional, see below
  }

A statement may use an earlier statement's result: {{i.r.c}} is replaced by the value in statement i
(0-based), row r, column c (an index or a column name), e.g.
  "SELECT snapshot_id, committed_at FROM t.snapshots ORDER BY committed_at"      (statement 3)
  "SELECT * FROM t VERSION AS OF {{3.0.snapshot_id}}"
  "SELECT * FROM t TIMESTAMP AS OF '{{3.0.committed_at}}'"

With "statements", runs them in order in one local SparkSession, prints one line to stdout and exits:
  AICHEMY_SPARK_RESULT [{"columns": [...], "rows": [[...], ...], "ms": n}, ...]   (one per statement)
or, when a statement fails (exit status 1; later statements are not run):
  AICHEMY_SPARK_ERROR {"statement": i, "sql": "...", "errorClass": "...", "message": "..."}
Without, it starts the session, prints AICHEMY_SPARK_READY, then reads batches from stdin, one JSON
object per line ({"statements": [...]}), and answers each with one RESULT or ERROR line (an error
does not end the session); it stops Spark and exits at end of input.
Other lines on stdout (if any) come from the JVM and are not part of the protocol.
Values become JSON: decimals, dates, timestamps and other non-JSON scalars as strings, binary as
hex, structs as objects, maps as [key, value] pairs.
"""
import json
import os
import re
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

RESULT = "AICHEMY_SPARK_RESULT "
ERROR = "AICHEMY_SPARK_ERROR "
READY = "AICHEMY_SPARK_READY"


def to_json(v):
    from pyspark.sql import Row

    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else str(v)
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, timedelta):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if isinstance(v, Row):
        return {k: to_json(x) for k, x in v.asDict(recursive=False).items()}
    if isinstance(v, dict):
        return [[to_json(k), to_json(x)] for k, x in v.items()]
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
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


def build_session(job):
    from pyspark.sql import SparkSession

    # Spark reads these when it starts the JVM: a loopback driver and scratch space of our own.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("SPARK_LOCAL_DIRS", os.path.join(job["scratch"], "spark-local"))
    name = job.get("catalog", "rest")
    kind = job.get("type", "rest")
    scratch = job["scratch"]
    cat = f"spark.sql.catalog.{name}"
    conf = {
        "spark.master": "local[2]",
        "spark.app.name": "aichemy-interop",
        "spark.driver.memory": "1g",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.sql.session.timeZone": "UTC",
        # C1 only and serial GC: ~30% faster start-up and short statements on small machines.
        "spark.driver.extraJavaOptions": " ".join(
            ["-Duser.timezone=UTC", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", *(job.get("javaOptions") or [])]
        ),
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.warehouse.dir": f"{scratch}/spark-warehouse",
        "spark.jars": job["jar"],
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        "spark.sql.defaultCatalog": name,
        cat: "org.apache.iceberg.spark.SparkCatalog",
        f"{cat}.type": kind,
        # Load tables from the catalog on every statement: a cached Table would hide the server's state.
        f"{cat}.cache-enabled": "false",
    }
    if kind == "rest":
        conf[f"{cat}.uri"] = job["uri"]
    for key in ("warehouse", "token", "credential"):
        if job.get(key):
            conf[f"{cat}.{key}"] = job[key]
    for k, v in (job.get("catalogProperties") or {}).items():
        conf[f"{cat}.{k}"] = str(v)
    conf.update({k: str(v) for k, v in (job.get("conf") or {}).items()})
    builder = SparkSession.builder
    for k, v in conf.items():
        builder = builder.config(k, v)
    return builder.getOrCreate()


def error_info(e, i, sql):
    error_class = None
    get = getattr(e, "getErrorClass", None)
    if callable(get):
        try:
            error_class = get()
        except Exception:  # noqa: BLE001
            pass
    message = getattr(e, "desc", None) or str(e)
    java = getattr(e, "java_exception", None)
    if java is not None and not getattr(e, "desc", None):
        # A Java exception: its message and causes, without Py4J's stack trace.
        parts = []
        while java is not None and len(parts) < 6:
            parts.append(java.toString())
            cause = java.getCause()
            java = cause if cause is not None and not cause.equals(java) else None
        message = "\n  caused by: ".join(parts)
    return {"statement": i, "sql": sql, "errorClass": error_class, "exception": type(e).__name__, "message": message}


def run_batch(spark, statements):
    """Runs statements in order; returns the protocol line and whether all succeeded."""
    results = []
    for i, sql in enumerate(statements):
        t0 = time.monotonic()
        try:
            sql = substitute(sql, results)
            df = spark.sql(sql)
            columns = list(df.columns)
            rows = [[to_json(v) for v in r] for r in df.collect()]
        except Exception as e:  # noqa: BLE001 - report any Spark/Py4J failure as-is
            return ERROR + json.dumps(error_info(e, i, sql)), False
        results.append({"columns": columns, "rows": rows, "ms": round((time.monotonic() - t0) * 1000)})
    return RESULT + json.dumps(results), True


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    job = json.load(sys.stdin if path == "-" else open(path, encoding="utf8"))
    started = time.monotonic()
    spark = build_session(job)
    spark.sparkContext.setLogLevel(job.get("logLevel", "WARN"))
    sys.stderr.write(f"spark: session started in {round((time.monotonic() - started) * 1000)} ms\n")
    ok = True
    try:
        if "statements" in job:
            line, ok = run_batch(spark, job["statements"])
            emit(line)
        else:
            emit(READY)
            for request in sys.stdin:
                if request.strip():
                    emit(run_batch(spark, json.loads(request)["statements"])[0])
    finally:
        spark.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
