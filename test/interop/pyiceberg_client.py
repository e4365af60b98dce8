"""PyIceberg as an independent client of AIchemy's SQL catalog (test helper).

Usage: pyiceberg_client.py <catalog.db> <warehouse-uri> <command> [args...]
  read <ns.table> [row_filter]   print {"rows": [...], "schema": [...], "snapshots": n} as JSON
  write <ns.table>               create a partitioned table, append twice, evolve the schema, append again
"""
import json
import sys
from datetime import datetime, date, timezone
from decimal import Decimal

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog


def to_json(v):
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, bytes):
        return v.hex()
    return v


def main():
    db, warehouse, command, *args = sys.argv[1:]
    catalog = SqlCatalog("iceberg", uri=f"sqlite:///{db}", warehouse=warehouse)
    if command == "read":
        table = catalog.load_table(args[0])
        scan = table.scan(row_filter=args[1]) if len(args) > 1 else table.scan()
        arrow = scan.to_arrow()
        rows = [{k: to_json(v) for k, v in r.items()} for r in arrow.to_pylist()]
        print(json.dumps({
            "rows": rows,
            "schema": [[f.field_id, f.name, str(f.field_type)] for f in table.schema().fields],
            "snapshots": len(table.metadata.snapshots),
            "files": len(list(table.scan(row_filter=args[1]).plan_files())) if len(args) > 1 else len(list(table.scan().plan_files())),
        }))
    elif command == "write":
        from pyiceberg.partitioning import PartitionSpec, PartitionField
        from pyiceberg.schema import Schema
        from pyiceberg.transforms import DayTransform, BucketTransform
        from pyiceberg.types import NestedField, LongType, StringType, TimestampType, DoubleType
        ns, name = args[0].rsplit(".", 1)
        if (ns,) not in catalog.list_namespaces():
            catalog.create_namespace(ns)
        schema = Schema(
            NestedField(1, "id", LongType(), required=False),
            NestedField(2, "name", StringType(), required=False),
            NestedField(3, "ts", TimestampType(), required=False),
        )
        spec = PartitionSpec(
            PartitionField(source_id=3, field_id=1000, transform=DayTransform(), name="ts_day"),
            PartitionField(source_id=1, field_id=1001, transform=BucketTransform(4), name="id_bucket"),
        )
        table = catalog.create_table(args[0], schema=schema, partition_spec=spec)
        arrow_schema = pa.schema([pa.field("id", pa.int64()), pa.field("name", pa.string()), pa.field("ts", pa.timestamp("us"))])
        def batch(start, n):
            return pa.Table.from_pylist(
                [{"id": i, "name": f"n{i}", "ts": datetime(2024, 1, 1 + i % 5, i % 24)} for i in range(start, start + n)],
                schema=arrow_schema,
            )
        table.append(batch(0, 50))
        table.append(batch(50, 50))
        with table.update_schema() as update:
            update.add_column("score", DoubleType())
        table = catalog.load_table(args[0])
        arrow_schema2 = pa.schema(list(arrow_schema) + [pa.field("score", pa.float64())])
        extra = pa.Table.from_pylist([{"id": 100, "name": "n100", "ts": datetime(2024, 1, 3), "score": 1.5}], schema=arrow_schema2)
        table.append(extra)
        table.delete(delete_filter="id < 10")
        print(json.dumps({"snapshots": len(catalog.load_table(args[0]).metadata.snapshots)}))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
