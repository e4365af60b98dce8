"""The line protocol of spark_sql.py and flink_sql.py (test/helpers/sql-child.ts is the other end).

An engine script is run as `<script> <job.json>` (or with the job on stdin, path "-"). With
"statements" in the job, it runs them in order, prints one line to stdout and exits:
  AICHEMY_<TAG>_RESULT [{"columns": [...], "rows": [[...], ...], "ms": n}, ...]   (one per statement)
or, when a statement fails (exit status 1; later statements are not run):
  AICHEMY_<TAG>_ERROR {"statement": i, "sql": "...", "exception": "...", "message": "...", ...}
Without, it prints AICHEMY_<TAG>_READY once the engine is up, then reads batches from stdin, one JSON
object per line ({"statements": [...]}), and answers each with one RESULT or ERROR line (an error
does not end the session); it exits at end of input.

A statement may use an earlier statement's result: {{i.r.c}} is replaced by the value in statement i
(0-based), row r, column c (an index or a column name), e.g.
  "SELECT snapshot_id, committed_at FROM t.snapshots ORDER BY committed_at"      (statement 3)
  "SELECT * FROM t VERSION AS OF {{3.0.snapshot_id}}"
  "SELECT * FROM t TIMESTAMP AS OF '{{3.0.committed_at}}'"
"""
import json
import re
import sys
import time
from decimal import Decimal

PLACEHOLDER = re.compile(r"\{\{(\d+)\.(\d+)\.(\w+)\}\}")

# What json_scalar returns for a value that is not a plain scalar.
NOT_SCALAR = object()


def json_scalar(v):
    """None, booleans, numbers and strings as JSON (NaN and infinities as strings), decimals as strings,
    bytes as hex; NOT_SCALAR for anything else."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else str(v)
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    return NOT_SCALAR


def substitute(sql, results):
    """sql with each {{i.r.c}} replaced by an earlier result's value (strings as is, else as JSON)."""

    def value(m):
        res = results[int(m.group(1))]
        row = res["rows"][int(m.group(2))]
        col = m.group(3)
        v = row[int(col)] if col.isdigit() else row[res["columns"].index(col)]
        return v if isinstance(v, str) else json.dumps(v)

    return PLACEHOLDER.sub(value, sql)


def java_message(java):
    """A Java exception's message and its causes (at most 6), without the stack trace."""
    parts = []
    while java is not None and len(parts) < 6:
        # Some errors (e.g. parser errors) repeat their cause's message: keep each message once.
        msg = java.getMessage()
        if not parts or not msg or msg not in parts[-1]:
            parts.append(java.toString())
        cause = java.getCause()
        java = cause if cause is not None and not cause.equals(java) else None
    return "\n  caused by: ".join(parts)


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def read_job():
    """The job object: from the file named by the first argument, or from stdin when it is "-" or absent."""
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    if path == "-":
        return json.load(sys.stdin)
    with open(path, encoding="utf8") as f:
        return json.load(f)


class Protocol:
    """One engine's protocol lines, AICHEMY_<tag>_READY, _RESULT and _ERROR, and its batches.

    run(sql) runs one statement and returns (columns, rows), rows already JSON values;
    describe(e, i, sql) turns a failure of statement i into the ERROR line's object.
    """

    def __init__(self, tag, run, describe):
        self.result = f"AICHEMY_{tag}_RESULT "
        self.error = f"AICHEMY_{tag}_ERROR "
        self.ready = f"AICHEMY_{tag}_READY"
        self.run = run
        self.describe = describe

    def emit_error(self, e, i, sql):
        emit(self.error + json.dumps(self.describe(e, i, sql)))

    def run_batch(self, statements):
        """Runs statements in order; returns the protocol line and whether all succeeded."""
        results = []
        for i, sql in enumerate(statements):
            t0 = time.monotonic()
            try:
                sql = substitute(sql, results)
                columns, rows = self.run(sql)
            except Exception as e:  # noqa: BLE001 - report any engine/Py4J failure as-is
                return self.error + json.dumps(self.describe(e, i, sql)), False
            results.append({"columns": columns, "rows": rows, "ms": round((time.monotonic() - t0) * 1000)})
        return self.result + json.dumps(results), True

    def serve(self, job):
        """Runs the job's "statements" as one batch, or else prints READY and answers batches from stdin
        until end of input. Returns the exit status."""
        if "statements" in job:
            line, ok = self.run_batch(job["statements"])
            emit(line)
            return 0 if ok else 1
        emit(self.ready)
        for request in sys.stdin:
            if request.strip():
                emit(self.run_batch(json.loads(request)["statements"])[0])
        return 0
