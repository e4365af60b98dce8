"""Apache Spark (pyspark + Iceberg's Spark runtime) as an independent client of an Iceberg catalog.

Usage: spark_sql.py <job.json>

The job is a JSON object:
  {
    "jar": "/path/iceberg-spark-runtime-3.5_2.12-<v>.jar",
    "extraJars": ["/path/iceberg-aws-bundle-<v>.jar"],   # optional, also in spark.jars
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

Speaks the protocol of sql_protocol.py with the tag SPARK: with "statements", runs them in order in
one local SparkSession and exits; without, prints AICHEMY_SPARK_READY and answers batches from stdin
(RESULT or ERROR lines, {{i.r.c}} placeholders) until end of input, then stops Spark. ERROR objects are
  {"statement": i, "sql": "...", "errorClass": "...", "exception": "...", "message": "..."}
Other lines on stdout (if any) come from the JVM and are not part of the protocol.
Values become JSON: decimals, dates, timestamps and other non-JSON scalars as strings, binary as
hex, structs as objects, maps as [key, value] pairs.
"""
import os
import sys
import time
from datetime import date, datetime, timedelta

from sql_protocol import NOT_SCALAR, Protocol, java_message, json_scalar, read_job


def to_json(v):
    s = json_scalar(v)
    if s is not NOT_SCALAR:
        return s
    from pyspark.sql import Row

    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, timedelta):
        return str(v)
    if isinstance(v, Row):
        return {k: to_json(x) for k, x in v.asDict(recursive=False).items()}
    if isinstance(v, dict):
        return [[to_json(k), to_json(x)] for k, x in v.items()]
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    return str(v)


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
        "spark.jars": ",".join([job["jar"], *(job.get("extraJars") or [])]),
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
        message = java_message(java)
    return {"statement": i, "sql": sql, "errorClass": error_class, "exception": type(e).__name__, "message": message}


def run_statement(spark, sql):
    df = spark.sql(sql)
    return list(df.columns), [[to_json(v) for v in r] for r in df.collect()]


def main():
    job = read_job()
    started = time.monotonic()
    spark = build_session(job)
    spark.sparkContext.setLogLevel(job.get("logLevel", "WARN"))
    sys.stderr.write(f"spark: session started in {round((time.monotonic() - started) * 1000)} ms\n")
    try:
        return Protocol("SPARK", lambda sql: run_statement(spark, sql), error_info).serve(job)
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
