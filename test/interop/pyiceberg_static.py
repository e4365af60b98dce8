"""PyIceberg reading a table from its metadata file (StaticTable), as an independent checker.

Usage: pyiceberg_static.py <working-dir> <metadata-file> <column>...
Prints {"rows": n, "sums": {column: sum}, "distinct": {column: count}} as JSON. Relative paths in
the metadata resolve against <working-dir>, where the writer's relative paths point.
"""
import json
import os
import sys

from pyiceberg.table import StaticTable

workdir, metadata, *columns = sys.argv[1:]
os.chdir(workdir)
table = StaticTable.from_metadata(metadata)
arrow = table.scan().to_arrow()
import pyarrow.compute as pc

out = {"rows": arrow.num_rows, "sums": {}, "distinct": {}}
for c in columns:
    out["sums"][c] = float(pc.sum(arrow[c]).as_py() or 0)
    out["distinct"][c] = len(pc.unique(arrow[c]))
print(json.dumps(out))
