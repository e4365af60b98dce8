"""PyIceberg as a client of AIchemy's Iceberg REST catalog server (test helper).

Usage: pyiceberg_rest.py <uri> <credential or -> <command> [args...]
(extra catalog properties as JSON in AICHEMY_PYICEBERG_PROPS, e.g. {"warehouse": "lake"})
  write <ns.table>            create namespace + partitioned table, append x2, overwrite a partition,
                              delete rows, evolve the schema, append again; print what it did
  staged <ns.table>           create a table in a transaction (stage-create + assert-create) with data
  read <ns.table> [filter]    print {"rows": [...], "schema": [...], "snapshots": n, "files": n}
  append <ns.table> <json>    append rows (a JSON list of objects) to an existing table
  namespaces                  print the namespaces and their tables
"""
import json
import os
import sys
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
from pyiceberg.catalog.rest import RestCatalog


def to_json(v):
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, bytes):
        return v.hex()
    return v


def main():
    uri, credential, command, *args = sys.argv[1:]
    props = {"uri": uri}
    # Extra catalog properties (e.g. a warehouse), as JSON.
    props.update(json.loads(os.environ.get("AICHEMY_PYICEBERG_PROPS", "{}")))
    if credential != "-":
        props["credential"] = credential
    catalog = RestCatalog("aichemy", **props)
    if command == "write":
        from pyiceberg.expressions import EqualTo, LessThan
        from pyiceberg.partitioning import PartitionField, PartitionSpec
        from pyiceberg.schema import Schema
        from pyiceberg.transforms import BucketTransform, IdentityTransform
        from pyiceberg.types import DoubleType, LongType, NestedField, StringType

        ns, name = args[0].rsplit(".", 1)
        catalog.create_namespace_if_not_exists(ns, {"owner": "pyiceberg"})
        schema = Schema(
            NestedField(1, "id", LongType(), required=False),
            NestedField(2, "region", StringType(), required=False),
            NestedField(3, "amount", DoubleType(), required=False),
        )
        spec = PartitionSpec(
            PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="region"),
            PartitionField(source_id=1, field_id=1001, transform=BucketTransform(4), name="id_bucket"),
        )
        table = catalog.create_table(args[0], schema=schema, partition_spec=spec)
        arrow_schema = pa.schema([pa.field("id", pa.int64()), pa.field("region", pa.string()), pa.field("amount", pa.float64())])

        def rows(ids, region):
            return pa.Table.from_pylist([{"id": i, "region": region, "amount": i * 1.5} for i in ids], schema=arrow_schema)

        table.append(rows(range(0, 10), "eu"))
        table.append(rows(range(10, 20), "us"))
        # Replace the 'us' partition.
        table.overwrite(rows(range(100, 105), "us"), overwrite_filter=EqualTo("region", "us"))
        # Delete some rows.
        table.delete(delete_filter=LessThan("id", 3))
        # Schema evolution: a new column, then a rename.
        with table.update_schema() as update:
            update.add_column("note", StringType())
        with table.update_schema() as update:
            update.rename_column("amount", "total")
        table = catalog.load_table(args[0])
        evolved = pa.schema([pa.field("id", pa.int64()), pa.field("region", pa.string()), pa.field("total", pa.float64()), pa.field("note", pa.string())])
        table.append(pa.Table.from_pylist([{"id": 200, "region": "ap", "total": 7.25, "note": "after evolution"}], schema=evolved))
        table = catalog.load_table(args[0])
        print(json.dumps({
            "snapshots": len(table.metadata.snapshots),
            "operations": [s.summary.operation.value for s in table.metadata.snapshots],
            "schema": [[f.field_id, f.name, str(f.field_type)] for f in table.schema().fields],
        }))
    elif command == "staged":
        from pyiceberg.schema import Schema
        from pyiceberg.types import LongType, NestedField, StringType

        ns, name = args[0].rsplit(".", 1)
        catalog.create_namespace_if_not_exists(ns)
        schema = Schema(NestedField(1, "k", LongType(), required=False), NestedField(2, "v", StringType(), required=False))
        with catalog.create_table_transaction(args[0], schema=schema, properties={"created-by": "pyiceberg-transaction"}) as tx:
            tx.append(pa.Table.from_pylist([{"k": 1, "v": "one"}, {"k": 2, "v": "two"}],
                                           schema=pa.schema([pa.field("k", pa.int64()), pa.field("v", pa.string())])))
        table = catalog.load_table(args[0])
        print(json.dumps({"snapshots": len(table.metadata.snapshots), "properties": dict(table.properties)}))
    elif command == "read":
        table = catalog.load_table(args[0])
        scan = table.scan(row_filter=args[1]) if len(args) > 1 else table.scan()
        arrow = scan.to_arrow()
        print(json.dumps({
            "rows": [{k: to_json(v) for k, v in r.items()} for r in arrow.to_pylist()],
            "schema": [[f.field_id, f.name, str(f.field_type)] for f in table.schema().fields],
            "snapshots": len(table.metadata.snapshots),
            "files": len(list(scan.plan_files())),
        }))
    elif command == "append":
        table = catalog.load_table(args[0])
        arrow_schema = table.schema().as_arrow()
        data = json.loads(args[1])
        for row in data:
            for field in arrow_schema:
                if pa.types.is_timestamp(field.type) and isinstance(row.get(field.name), str):
                    row[field.name] = datetime.fromisoformat(row[field.name])
        table.append(pa.Table.from_pylist(data, schema=arrow_schema))
        print(json.dumps({"snapshots": len(catalog.load_table(args[0]).metadata.snapshots)}))
    elif command == "namespaces":
        out = {}
        for ns in catalog.list_namespaces():
            out[".".join(ns)] = sorted(t[-1] for t in catalog.list_tables(ns))
        print(json.dumps(out))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
