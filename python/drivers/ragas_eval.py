#!/usr/bin/env python3
"""Run RAGAS 0.4.3 metrics headless for EvalHub.

Usage: python ragas_eval.py CONFIG.json

CONFIG keys:
  model_url         OpenAI-compatible base URL ending in /v1 (judge LLM)
  model_name        served model name
  api_key_env       optional: name of the env var that holds the API key
  embeddings_url    optional: base URL for /embeddings (default model_url)
  embeddings_model  optional: embeddings model name (default model_name)
  dataset_path      JSONL; per row user_input|question, response|answer,
                    retrieved_contexts|contexts, reference|ground_truth
  metrics           list of metric names (see METRICS below)
  max_rows          optional: evaluate only the first N rows
  output_dir        where results.json and scores.jsonl are written
  concurrency       optional: rows evaluated in parallel (default 4)
  timeout_s         optional: per-request timeout (default 120)

Stdout: one line per finished row: "evalhub-progress done=D total=T".
Exit codes: 0 ok (individual failures are counted in results.json "errors"),
2 bad config/dataset/metric, 3 model or embeddings endpoint unreachable,
4 every evaluation failed, 1 unexpected error. Errors: one line on stderr,
prefixed "evalhub-error: ".
"""

import asyncio
import inspect
import json
import math
import os
import sys
import warnings

# Must be set before ragas is imported: ragas sends usage analytics otherwise.
os.environ["RAGAS_DO_NOT_TRACK"] = "true"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
warnings.filterwarnings("ignore")

# metric name -> (class name in ragas.metrics.collections, needs llm, needs embeddings)
METRICS = {
    "faithfulness": ("Faithfulness", True, False),
    "answer_relevancy": ("AnswerRelevancy", True, True),
    "context_precision": ("ContextPrecision", True, False),  # with reference
    "context_precision_without_reference": ("ContextPrecisionWithoutReference", True, False),
    "context_utilization": ("ContextUtilization", True, False),
    "context_recall": ("ContextRecall", True, False),
    "context_entity_recall": ("ContextEntityRecall", True, False),
    "context_relevance": ("ContextRelevance", True, False),
    "answer_similarity": ("SemanticSimilarity", False, True),
    "semantic_similarity": ("SemanticSimilarity", False, True),
    "answer_correctness": ("AnswerCorrectness", True, True),
    "answer_accuracy": ("AnswerAccuracy", True, False),
    "factual_correctness": ("FactualCorrectness", True, False),
    "noise_sensitivity": ("NoiseSensitivity", True, False),
    "response_groundedness": ("ResponseGroundedness", True, False),
}

# canonical column -> accepted aliases (first found wins)
COLUMNS = {
    "user_input": ("user_input", "question"),
    "response": ("response", "answer"),
    "retrieved_contexts": ("retrieved_contexts", "contexts"),
    "reference": ("reference", "ground_truth"),
}


class Fatal(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def load_config(path):
    try:
        with open(path, encoding="utf-8") as f:
            cfg = json.load(f)
    except (OSError, ValueError) as e:
        raise Fatal(2, f"cannot read config {path}: {e}")
    for key in ("model_url", "model_name", "dataset_path", "metrics", "output_dir"):
        if not cfg.get(key):
            raise Fatal(2, f"config is missing '{key}'")
    if not isinstance(cfg["metrics"], list):
        raise Fatal(2, "config 'metrics' must be a list")
    unknown = [m for m in cfg["metrics"] if m not in METRICS]
    if unknown:
        raise Fatal(2, f"unknown metric(s): {', '.join(map(str, unknown))}; known: {', '.join(sorted(METRICS))}")
    return cfg


def normalize_row(raw, lineno):
    """Map either naming style to RAGAS column names; contexts become a list of strings."""
    if not isinstance(raw, dict):
        raise Fatal(2, f"dataset line {lineno}: expected a JSON object")
    row = {}
    for col, aliases in COLUMNS.items():
        for alias in aliases:
            if raw.get(alias) not in (None, "", []):
                row[col] = raw[alias]
                break
    ctx = row.get("retrieved_contexts")
    if isinstance(ctx, str):
        row["retrieved_contexts"] = [ctx]
    elif ctx is not None and not (isinstance(ctx, list) and all(isinstance(c, str) for c in ctx)):
        raise Fatal(2, f"dataset line {lineno}: retrieved_contexts/contexts must be a string or list of strings")
    if isinstance(row.get("reference"), list):  # old ragas "ground_truths" style lists
        row["reference"] = " ".join(map(str, row["reference"]))
    return row


def load_dataset(path, max_rows):
    if not os.path.isfile(path):
        raise Fatal(2, f"dataset not found: {path}")
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except ValueError as e:
                raise Fatal(2, f"dataset line {lineno}: invalid JSON ({e})")
            rows.append(normalize_row(raw, lineno))
            if max_rows and len(rows) >= int(max_rows):
                break
    if not rows:
        raise Fatal(2, f"dataset is empty: {path}")
    return rows


def required_columns(metric):
    """ascore()'s parameters are exactly the columns the metric needs."""
    return [p for p in inspect.signature(metric.ascore).parameters if p != "self"]


def check_endpoint(client, what, url):
    """Fail fast when nothing listens: any HTTP answer (even 404) counts as reachable."""
    import openai

    try:
        client.with_options(max_retries=0, timeout=15).models.list()
    except openai.APIConnectionError as e:  # includes timeouts
        raise Fatal(3, f"{what} endpoint unreachable: {url} ({e.__class__.__name__}: {e})")
    except openai.APIStatusError as e:
        if e.status_code in (401, 403):
            raise Fatal(3, f"{what} endpoint rejected the API key: {url} (HTTP {e.status_code})")


def build_metrics(cfg):
    import openai
    import ragas.metrics.collections as collections
    from ragas.embeddings import OpenAIEmbeddings
    from ragas.llms import llm_factory

    key = os.environ.get(cfg["api_key_env"], "") if cfg.get("api_key_env") else ""
    key = key or "not-needed"
    timeout = float(cfg.get("timeout_s", 120))
    names = cfg["metrics"]
    need_llm = any(METRICS[m][1] for m in names)
    need_emb = any(METRICS[m][2] for m in names)

    llm = emb = None
    if need_llm:
        check_endpoint(openai.OpenAI(base_url=cfg["model_url"], api_key=key), "model", cfg["model_url"])
        client = openai.AsyncOpenAI(base_url=cfg["model_url"], api_key=key, timeout=timeout, max_retries=2)
        # Instructor in JSON mode; temperature/max_tokens are InstructorModelArgs fields.
        llm = llm_factory(cfg["model_name"], client=client, temperature=0.0, max_tokens=int(cfg.get("max_tokens", 1024)))
    if need_emb:
        emb_url = cfg.get("embeddings_url") or cfg["model_url"]
        check_endpoint(openai.OpenAI(base_url=emb_url, api_key=key), "embeddings", emb_url)
        emb_client = openai.AsyncOpenAI(base_url=emb_url, api_key=key, timeout=timeout, max_retries=2)
        emb = OpenAIEmbeddings(client=emb_client, model=cfg.get("embeddings_model") or cfg["model_name"])

    metrics = {}
    for name in names:
        cls_name, uses_llm, uses_emb = METRICS[name]
        kwargs = {}
        if uses_llm:
            kwargs["llm"] = llm
        if uses_emb:
            kwargs["embeddings"] = emb
        metrics[name] = getattr(collections, cls_name)(**kwargs)
    return metrics


def describe(e):
    """One-line error text; for instructor retries, the last attempt's cause (e.g. invalid JSON)."""
    attempts = getattr(e, "failed_attempts", None)
    if attempts:
        inner = attempts[-1].exception
        text = f"{e.__class__.__name__} after {len(attempts)} attempts: {inner.__class__.__name__}: {inner}"
    else:
        text = f"{e.__class__.__name__}: {e}"
    return " ".join(text.split())[:400]


def finite(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


async def evaluate(rows, metrics, concurrency):
    """Score every row with every metric; returns per-row score dicts and error tallies."""
    sem = asyncio.Semaphore(max(1, int(concurrency)))
    scores = [dict() for _ in rows]
    errors = {}  # metric -> {"count": n, "first": message}
    done = 0

    def record_error(name, message):
        e = errors.setdefault(name, {"count": 0, "first": message})
        e["count"] += 1

    async def one_row(i, row):
        nonlocal done
        async with sem:
            for name, metric in metrics.items():
                cols = required_columns(metric)
                missing = [c for c in cols if c not in row]
                if missing:
                    scores[i][name] = None
                    record_error(name, f"row {i}: missing column(s) {', '.join(missing)}")
                    continue
                try:
                    result = await metric.ascore(**{c: row[c] for c in cols})
                    value = getattr(result, "value", result)
                    scores[i][name] = float(value) if isinstance(value, (int, float)) else None
                except Exception as e:  # one failed judge call must not stop the run
                    scores[i][name] = None
                    record_error(name, f"row {i}: {describe(e)}")
        done += 1
        print(f"evalhub-progress done={done} total={len(rows)}", flush=True)

    await asyncio.gather(*(one_row(i, r) for i, r in enumerate(rows)))
    return scores, errors


def summarize(names, rows, scores, errors):
    out = {"metrics": {}, "rows": len(rows), "scored": {}, "nan": {}, "errors": errors}
    for name in names:
        values = [s.get(name) for s in scores]
        good = [v for v in values if finite(v)]
        out["nan"][name] = sum(1 for v in values if v is not None and not finite(v))
        out["scored"][name] = len(good)
        out["metrics"][name] = sum(good) / len(good) if good else None
    return out


def main(argv):
    if len(argv) != 2:
        raise Fatal(2, "usage: ragas_eval.py CONFIG.json")
    cfg = load_config(argv[1])
    rows = load_dataset(cfg["dataset_path"], cfg.get("max_rows"))
    os.makedirs(cfg["output_dir"], exist_ok=True)
    metrics = build_metrics(cfg)

    # Reject a dataset that lacks a column some metric needs in every row.
    for name, metric in metrics.items():
        absent = [c for c in required_columns(metric) if not any(c in r for r in rows)]
        if absent:
            aliases = ", ".join("|".join(COLUMNS[c]) for c in absent)
            raise Fatal(2, f"metric {name} needs column(s) missing from the dataset: {aliases}")

    print(f"evalhub-progress done=0 total={len(rows)}", flush=True)
    scores, errors = asyncio.run(evaluate(rows, metrics, cfg.get("concurrency", 4)))
    summary = summarize(list(metrics), rows, scores, errors)

    with open(os.path.join(cfg["output_dir"], "scores.jsonl"), "w", encoding="utf-8") as f:
        for i, (row, s) in enumerate(zip(rows, scores)):
            clean = {k: (v if finite(v) else None) for k, v in s.items()}  # NaN -> null (valid JSON)
            f.write(json.dumps({"row": i, "user_input": row.get("user_input"), "scores": clean}) + "\n")
    with open(os.path.join(cfg["output_dir"], "results.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)

    if all(summary["scored"][n] == 0 for n in metrics) and errors:
        first = next(iter(errors.values()))["first"]
        raise Fatal(4, f"every evaluation failed; first error: {first}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Fatal as e:
        print(f"evalhub-error: {e}", file=sys.stderr, flush=True)
        sys.exit(e.code)
    except Exception as e:
        print(f"evalhub-error: unexpected {e.__class__.__name__}: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
