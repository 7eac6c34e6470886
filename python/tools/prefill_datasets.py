#!/usr/bin/env python3
"""Fill a Hugging Face cache with the datasets of some lm-eval tasks, for offline EvalHub workers.

Usage (normally through `npm run datasets`, which resolves collections and picks the core venv):
  HF_HOME=DIR python prefill_datasets.py --tasks arc_easy,ifeval [--include-path P] [--dry-run]
                                         [--json-out FILE]

Why this way: EvalHub runs lm-eval with HF_HUB_OFFLINE=1 / HF_DATASETS_OFFLINE=1, so every
dataset a task asks for must already be in HF_HOME. The tasks are loaded with lm-eval's own
TaskManager (the same YAML includes, groups, tags and dataset_kwargs lm-eval uses at run time),
so what gets cached is exactly what `lm-eval run --tasks ...` will ask `datasets` for.

  default    network on: lm-eval builds each task, which calls datasets.load_dataset and caches
             it under $HF_HOME; then every dataset is loaded again in a fresh process with the
             offline switches on, to prove the cache is enough. Per task: dataset path/name,
             cache size, offline check.
  --dry-run  offline, nothing downloaded: lm-eval resolves the task configs, but the tasks are
             not built (building one loads its dataset); prints each leaf task's dataset_path,
             dataset_name and dataset_kwargs.

Exit codes: 0 all tasks resolved (and cached / verified), 1 some task failed, 2 bad arguments.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tasks", required=True, help="comma-separated lm-eval task, group or tag names")
    p.add_argument("--include-path", action="append", default=[], help="extra folder of task YAMLs (repeatable)")
    p.add_argument("--dry-run", action="store_true", help="resolve offline and print, download nothing")
    p.add_argument("--json-out", help="also write the report as JSON to this file")
    p.add_argument("--check-offline", help=argparse.SUPPRESS)  # internal: JSON list of load_dataset calls
    return p.parse_args()


def set_hub_mode(offline: bool):
    # Must happen before datasets / huggingface_hub are imported: they read these at import time.
    for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "HF_EVALUATE_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ[k] = "1" if offline else "0"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def jsonable(v):
    """dataset_kwargs as JSON (a callable or other object becomes its repr)."""
    try:
        json.dumps(v)
        return v
    except TypeError:
        if isinstance(v, dict):
            return {str(k): jsonable(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [jsonable(x) for x in v]
        return getattr(v, "__qualname__", None) or repr(v)


def custom_name(custom):
    """A task's custom_dataset function as module.function (unresolved: its YAML's file.function)."""
    if not custom:
        return None
    if callable(custom):
        return f"{getattr(custom, '__module__', '?')}.{getattr(custom, '__qualname__', '?')}"
    return str(custom).split("/lm_eval/tasks/")[-1]


def plan_only():
    """Make lm-eval's TaskFactory record each leaf task's dataset instead of building the task."""
    from copy import deepcopy

    from lm_eval.api.task import ConfigurableTask
    from lm_eval.tasks import _factory
    from lm_eval.tasks._yaml_loader import load_yaml

    class Planned(ConfigurableTask):
        """Stands in for a task in lm-eval's groups: has a name and what its download() would load."""

        def __init__(self, config=None, cls=None, **_):
            cfg = dict(config or {})
            preset = getattr(cls, "CONFIG", None) if cls else None
            preset = vars(preset) if preset is not None and not isinstance(preset, dict) else (preset or {})
            merged = {**preset, **cfg}
            self._config = type("PlannedConfig", (), {"task": merged.get("task")})()
            custom = merged.get("custom_dataset")
            kwargs = dict(merged.get("dataset_kwargs") or {})
            kwargs.pop("trust_remote_code", None)  # lm-eval drops it for datasets >= 4
            self.plan = {
                "dataset_path": merged.get("dataset_path") or getattr(cls, "DATASET_PATH", None),
                "dataset_name": merged.get("dataset_name") or getattr(cls, "DATASET_NAME", None),
                "dataset_kwargs": jsonable(kwargs) or None,
                "custom_dataset": custom_name(custom),
                "python_class": f"{cls.__module__}.{cls.__qualname__}" if cls else None,
                "config_source": (merged.get("metadata") or {}).get("config_source") if isinstance(merged.get("metadata"), dict) else None,
                "cannot_build": merged.get("__cannot_build"),
            }

    real_load = _factory.TaskFactory._load_full_config

    def load_full_config(self, entry, overrides=None):
        # A task whose `!function`s import a module this venv lacks still names its dataset: read
        # its YAML without resolving them, and say what lm-eval will need at run time.
        try:
            return real_load(self, entry, overrides)
        except Exception as e:  # noqa: BLE001
            if not entry.yaml_path:
                raise
            cfg = {**deepcopy(load_yaml(entry.yaml_path, resolve_func=False)), **(overrides or {})}
            cfg["__cannot_build"] = f"{type(e).__name__}: {e}"
            return cfg

    def build_task(self, entry, overrides):
        cfg = self._load_full_config(entry, overrides)
        for key in ("tag", "group", "task_list"):
            cfg.pop(key, None)
        return Planned(config=cfg, cls=cfg.pop("class", None))

    _factory.TaskFactory._load_full_config = load_full_config
    _factory.TaskFactory._build_task = build_task
    _factory.ConfigurableTask = Planned  # inline tasks of a group


@contextlib.contextmanager
def recording_loads(calls):
    """Every datasets.load_dataset call lm-eval makes while the block runs, appended to `calls`."""
    import datasets

    real = datasets.load_dataset

    def load_dataset(path=None, name=None, **kwargs):
        calls.append({"path": path, "name": name, "kwargs": jsonable({k: v for k, v in kwargs.items() if v is not None})})
        return real(path=path, name=name, **kwargs)

    datasets.load_dataset = load_dataset
    try:
        yield
    finally:
        datasets.load_dataset = real


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, f)).st_size
    return total


def cache_dirs(hf_home, dataset_path):
    """Where `datasets` keeps a Hub dataset: its Arrow cache and the Hub download cache."""
    if not dataset_path or os.path.isabs(dataset_path) or "/" not in dataset_path and dataset_path in PACKAGED:
        return []
    from datasets.naming import camelcase_to_snakecase

    parts = dataset_path.split("/")
    parts[-1] = camelcase_to_snakecase(parts[-1])
    datasets_cache = os.environ.get("HF_DATASETS_CACHE") or os.path.join(hf_home, "datasets")
    hub_cache = os.environ.get("HF_HUB_CACHE") or os.path.join(hf_home, "hub")
    return [os.path.join(datasets_cache, "___".join(parts)), os.path.join(hub_cache, "datasets--" + dataset_path.replace("/", "--"))]


PACKAGED = {"json", "csv", "parquet", "text", "arrow", "pandas", "webdataset", "imagefolder", "audiofolder", "xml", "sql"}


def human(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def check_offline(calls_json):
    """Internal: load each recorded dataset with the offline switches on (a fresh process)."""
    import datasets

    failures = 0
    for c in json.loads(calls_json):
        try:
            datasets.load_dataset(path=c["path"], name=c["name"], **(c.get("kwargs") or {}))
            print(json.dumps({"path": c["path"], "name": c["name"], "ok": True}), flush=True)
        except Exception as e:  # noqa: BLE001 - reported per dataset
            failures += 1
            print(json.dumps({"path": c["path"], "name": c["name"], "ok": False, "error": f"{type(e).__name__}: {e}"}), flush=True)
    return 1 if failures else 0


def main():
    args = parse_args()
    if args.check_offline:
        set_hub_mode(offline=True)
        return check_offline(args.check_offline)
    set_hub_mode(offline=args.dry_run)
    hf_home = os.environ.get("HF_HOME")
    if not args.dry_run and not hf_home:
        log("prefill: set HF_HOME to the cache folder to fill")
        return 2
    names = [t.strip() for t in args.tasks.split(",") if t.strip()]
    if not names:
        log("prefill: no tasks given")
        return 2
    if args.dry_run:
        plan_only()

    import lm_eval
    from lm_eval.api.group import Group
    from lm_eval.tasks import TaskManager

    tm = TaskManager(include_path=args.include_path or None)
    report = {"lm_eval_version": getattr(lm_eval, "__version__", "?"), "hf_home": hf_home, "dry_run": args.dry_run, "benchmarks": []}
    failed = 0
    for name in names:
        entry = {"benchmark": name, "tasks": []}
        report["benchmarks"].append(entry)
        if name not in tm.all_tasks:
            entry["error"] = f"'{name}' is not a task, group or tag of lm-eval {report['lm_eval_version']}" + (" or of the include path" if args.include_path else "")
            failed += 1
            continue
        calls = []
        try:
            with recording_loads(calls):
                loaded = tm.load([name])
        except Exception as e:  # noqa: BLE001 - one bad task must not hide the others
            entry["error"] = f"{type(e).__name__}: {e}"
            entry["load_dataset_calls"] = calls
            failed += 1
            continue
        entry["groups"] = sorted(g for g in loaded.get("groups", {}) if isinstance(loaded["groups"][g], Group))
        for task_name, task in sorted(loaded["tasks"].items()):
            if args.dry_run:
                entry["tasks"].append({"task": task_name, **task.plan})
            else:
                entry["tasks"].append({
                    "task": task_name,
                    "dataset_path": getattr(task, "DATASET_PATH", None),
                    "dataset_name": getattr(task, "DATASET_NAME", None),
                    "custom_dataset": bool(getattr(getattr(task, "config", None), "custom_dataset", None)),
                })
        if not args.dry_run:
            entry["load_dataset_calls"] = calls
            seen = set()
            size = 0
            for c in calls:
                for d in cache_dirs(hf_home, c["path"]):
                    if d not in seen:
                        seen.add(d)
                        size += dir_size(d)
            # Packaged builders (json, csv, …) on local files: nothing of the Hub to carry over.
            entry["cache_bytes"] = size if seen else None

    if not args.dry_run:
        # A fresh process with the offline switches on: the cache alone must be enough.
        unique = {json.dumps(c, sort_keys=True): c for b in report["benchmarks"] for c in b.get("load_dataset_calls", [])}
        if unique:
            out = subprocess.run([sys.executable, __file__, "--tasks", "-", "--check-offline", json.dumps(list(unique.values()))],
                                 capture_output=True, text=True, env=os.environ.copy())
            results = {}
            for line in out.stdout.splitlines():
                with contextlib.suppress(ValueError):
                    r = json.loads(line)
                    results[(r["path"], r["name"])] = r
            for b in report["benchmarks"]:
                bad = [results.get((c["path"], c["name"]), {"ok": False, "error": "not checked"}) for c in b.get("load_dataset_calls", [])]
                bad = [r for r in bad if not r["ok"]]
                b["offline_ok"] = not bad and "error" not in b
                if bad:
                    b["offline_error"] = bad[0].get("error")
                    failed += 1
        report["cache_bytes"] = dir_size(hf_home)

    print_report(report)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    return 1 if failed else 0


def print_report(report):
    for b in report["benchmarks"]:
        if "error" in b:
            print(f"{b['benchmark']}: FAILED {b['error']}")
            continue
        extra = ""
        if not report["dry_run"]:
            size = b.get("cache_bytes")
            extra = (f"  cache {human(size)}" if size is not None else "  local data files") + ("  offline: ok" if b.get("offline_ok") else f"  offline: FAILED {b.get('offline_error', '')}")
        groups = f" (group {', '.join(b['groups'])})" if b.get("groups") else ""
        print(f"{b['benchmark']}{groups}: {len(b['tasks'])} task(s){extra}")
        for t in b["tasks"]:
            where = t.get("dataset_path") or "-"
            if t.get("dataset_name"):
                where += f" {t['dataset_name']}"
            if t.get("custom_dataset"):
                name = f" {t['custom_dataset']}" if isinstance(t["custom_dataset"], str) else ""
                where += f"  (custom_dataset{name}: builds its data itself, may need more than the Hub datasets)"
            if t.get("python_class"):
                where += f"  (Python task {t['python_class']})"
            kwargs = t.get("dataset_kwargs")
            print(f"  {t['task']}: {where}" + (f"  {json.dumps(kwargs)}" if kwargs else ""))
            if t.get("cannot_build"):
                print(f"    warning: this lm-eval cannot build the task here ({t['cannot_build'][:160]})")
    if not report["dry_run"]:
        print(f"total cache size: {human(report.get('cache_bytes', 0))} in {report['hf_home']}")


if __name__ == "__main__":
    sys.exit(main())
