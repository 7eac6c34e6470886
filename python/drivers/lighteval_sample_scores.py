"""Per-sample scores from Lighteval's details files, for EvalHub's intervals and paired comparisons.

Usage: python lighteval_sample_scores.py <details dir> <out.jsonl>

Lighteval writes its details (one row per document: the doc, the model's response and the
document's metric values) as parquet, which only Python reads here. This writes one JSON line per
row: {"task": ..., "id": ..., "metric": {name: value}}; EvalHub names the metrics as in the
results and keys each sample by task and document id. Rows without numeric metrics are skipped.
"""

import json
import math
import pathlib
import sys

import pyarrow.parquet as pq


def rows(details_dir: pathlib.Path):
    for f in sorted(details_dir.rglob("details_*.parquet")):
        for row in pq.read_table(f, columns=["doc", "metric"]).to_pylist():
            doc = row.get("doc") or {}
            metric = {
                k: float(v)
                for k, v in (row.get("metric") or {}).items()
                if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            }
            if not metric:
                continue
            task = doc.get("task_name") or f.name
            ident = doc.get("id")
            if ident in (None, ""):
                ident = doc.get("query") or ""
            yield {"task": str(task), "id": str(ident), "metric": metric}


def main() -> int:
    details_dir, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    with out.open("w") as fh:
        n = 0
        for r in rows(details_dir):
            fh.write(json.dumps(r) + "\n")
            n += 1
    print(f"{n} samples", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
