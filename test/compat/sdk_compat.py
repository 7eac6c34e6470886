"""Compatibility suite: drives a running EvalHub with the official Python SDK (eval-hub-sdk),
unchanged, following the compatibility test plan A-D of the EvalHub v1 reference.

    python sdk_compat.py --base-url http://127.0.0.1:8080 --adapter-cmd "python sdk_adapter.py" --report out.json

Each check is a function; the report lists every check with ok/detail. Exit code 0 when all pass.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import traceback
import uuid

import httpx
from evalhub.adapter import DefaultCallbacks, JobSpec, JobStatusUpdate, MessageInfo
from evalhub.client import JobLogOptions, SyncEvalHubClient
from evalhub.client.resources.jobs import JobCanNotBeCancelledError, JobNotFoundError
from evalhub.models.api import (
    BenchmarkConfig,
    CollectionRef,
    JobStatus,
    JobSubmissionRequest,
    ModelConfig,
)

CHECKS = []


def check(check_id):
    def wrap(fn):
        CHECKS.append((check_id, fn))
        return fn

    return wrap


class Ctx:
    def __init__(self, base_url, adapter_cmd, spec_dir, token=None, tenant=None, cli_token=None):
        self.base_url = base_url
        self.api = base_url + "/api/v1"
        self.adapter_cmd = adapter_cmd
        self.spec_dir = spec_dir
        # Cluster mode with authentication: every call carries the bearer token and a tenant.
        self.token = token
        self.tenant = tenant
        self.cli_token = cli_token
        self.client = self.client_for(tenant)
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **({"X-Tenant": tenant} if tenant else {})}
        self.raw = httpx.Client(base_url=self.api, timeout=30, headers=headers)
        self.provider_id = None

    def client_for(self, tenant):
        return SyncEvalHubClient(base_url=self.base_url, max_retries=0, tenant=tenant, auth_token=self.token)

    def model(self):
        return ModelConfig(url="http://model.local:8000/v1", name="m")

    def adapter_provider(self, tenant=None):
        """A provider whose local command runs the SDK adapter (test/compat/sdk_adapter.py)."""
        body = {
            "name": "SDK adapter",
            "title": "SDK adapter",
            "description": "FrameworkAdapter from eval-hub-sdk",
            "benchmarks": [
                {"id": "arc_easy", "name": "ARC easy", "category": "reasoning", "primary_score": {"metric": "acc_norm"}, "pass_criteria": {"threshold": 0.25}},
                {"id": "second", "name": "Second", "category": "reasoning", "primary_score": {"metric": "acc_norm"}, "pass_criteria": {"threshold": 0.25}},
            ],
            "runtime": {"local": {"command": self.adapter_cmd}},
        }
        return self.client.providers.create(body, tenant=tenant).resource.id

    def silent_provider(self, tenant=None):
        """A provider whose command never reports: its jobs stay pending until cancelled."""
        body = {
            "name": "Silent",
            "title": "Silent",
            "benchmarks": [{"id": "arc_easy", "name": "ARC easy", "category": "reasoning"}],
            "runtime": {"local": {"command": "sleep 120"}},
        }
        return self.client.providers.create(body, tenant=tenant).resource.id

    def callback_url(self, job_id, index=0, timeout=30):
        """The callback_url the worker wrote into a benchmark's JobSpec (it carries the run's token)."""
        end = time.time() + timeout
        root = os.path.join(self.spec_dir, "jobs", job_id, str(index))
        while time.time() < end:
            for dp, _, files in os.walk(root):
                if "job.json" in files and dp.endswith("meta"):
                    with open(os.path.join(dp, "job.json")) as fh:
                        return json.load(fh)["callback_url"]
            time.sleep(0.1)
        raise AssertionError(f"no JobSpec for job {job_id} benchmark {index}")

    def job_raw(self, job_id, headers=None):
        return self.raw.get(f"/evaluations/jobs/{job_id}", headers=headers or {}).json()

    def wait(self, job_id, pred, timeout=60, what="condition"):
        end = time.time() + timeout
        last = None
        while time.time() < end:
            last = self.job_raw(job_id)
            if pred(last):
                return last
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; last state {json.dumps(last)[:600]}")


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def expect_http_error(fn, status, code=None):
    try:
        fn()
    except httpx.HTTPStatusError as e:
        expect(e.response.status_code == status, f"expected HTTP {status}, got {e.response.status_code}: {e.response.text}")
        body = e.response.json()
        expect(set(body) == {"message_code", "message", "trace"}, f"error body keys {sorted(body)}")
        if code:
            expect(body["message_code"] == code, f"expected {code}, got {body['message_code']}")
        return body
    raise AssertionError(f"expected HTTP {status}, the call succeeded")


# ---------------------------------------------------------------- A. discovery


@check("A1")
def health(ctx):
    h = ctx.client.health()
    expect(h["status"] == "healthy", f"health: {h}")
    cli = subprocess.run(["evalhub", "--base-url", ctx.base_url, "health"], capture_output=True, text=True, timeout=60, env=cli_env(ctx))
    expect(cli.returncode == 0, f"evalhub health exit {cli.returncode}: {cli.stdout} {cli.stderr}")
    return cli.stdout.strip()


@check("A2")
def providers_list(ctx):
    providers = ctx.client.providers.list()
    system = [p for p in providers if p.resource.owner == "system"]
    expect(len(system) == 9, f"{len(system)} system providers")
    for p in providers:
        expect(p.resource.id and p.name is not None and p.title is not None, f"provider fields {p}")
        for b in p.benchmarks:
            expect(b.id and b.name and isinstance(b.category, str), f"benchmark fields {b}")
            expect(isinstance(b.num_few_shot, int) and isinstance(b.dataset_size, int), f"benchmark ints {b}")
    lm = next(p for p in providers if p.resource.id == "lm_evaluation_harness")
    expect(len(lm.benchmarks) == 188, f"lm_eval has {len(lm.benchmarks)}")
    models = ctx.client.providers.list(target_type="model")
    safety = ctx.client.providers.list(evaluates="safety")
    expect(models and safety, f"target_type=model {len(models)}, evaluates=safety {len(safety)}")
    # The SDK filters on agent.target_type / agent.evaluates: upstream's agent metadata decides.
    accuracy = [p.resource.id for p in ctx.client.providers.list(target_type="model", evaluates="accuracy")]
    expect(accuracy == ["lm_evaluation_harness"], f"target_type=model, evaluates=accuracy: {accuracy}")
    agents = [p.resource.id for p in ctx.client.providers.list(target_type="agent") if p.resource.owner == "system"]
    expect(agents == [], f"system providers with target_type=agent: {agents}")
    return f"{len(system)} system providers, model-targeted {len(models)}, safety {len(safety)}"


@check("A3")
def providers_get(ctx):
    p = ctx.client.providers.get("lm_evaluation_harness")
    expect(p.resource.id == "lm_evaluation_harness", "get")
    body = expect_http_error(lambda: ctx.client.providers.get("nope"), 404, "resource_not_found")
    return body["message"]


@check("A4")
def benchmarks_list(ctx):
    all_b = ctx.client.benchmarks.list()
    lighteval = ctx.client.benchmarks.list(provider_id="lighteval")
    math = ctx.client.benchmarks.list(category="math")
    five = ctx.client.benchmarks.list(limit=5)
    expect(len(lighteval) == 28, f"lighteval {len(lighteval)}")
    expect(math and all(b.category == "math" for b in math), "math filter")
    expect(len(five) == 5, f"limit 5 gave {len(five)}")
    return f"{len(all_b)} benchmarks, {len(math)} math"


@check("A5")
def providers_raw_filters(ctx):
    r = ctx.raw.get("/evaluations/providers", params={"benchmarks": "false"}).json()
    expect(all(p["benchmarks"] == [] for p in r["items"]), "benchmarks=false")
    expect(ctx.raw.get("/evaluations/providers", params={"scope": "system"}).json()["total_count"] == 9, "scope=system")
    r = ctx.raw.get("/evaluations/providers", params={"scope": "system", "owner": "x"})
    expect(r.status_code == 400 and r.json()["message_code"] == "query_parameter_mismatch", r.text)
    r = ctx.raw.get("/evaluations/providers", params={"foo": "1"})
    expect(r.status_code == 400 and r.json()["message_code"] == "query_bad_parameter", r.text)


@check("A6")
def collections_list(ctx):
    cols = ctx.client.collections.list()
    expect(len(cols) == 10, f"{len(cols)} collections")
    lb = ctx.client.collections.get("leaderboard-v2")
    expect(lb.category == "general" and lb.pass_criteria.threshold == 38.0, f"{lb.category} {lb.pass_criteria}")
    expect(all(b.weight == 1.0 for b in lb.benchmarks) and len(lb.benchmarks) == 6, "weights")


# ---------------------------------------------------------------- B. CRUD


@check("B7")
def providers_crud(ctx):
    p = ctx.client.providers.create(
        {"name": "My P", "title": "t", "description": "d", "benchmarks": [{"id": "b1", "name": "B1", "category": "x"}], "runtime": {"local": {"command": "python adapter.py"}}}
    )
    uuid.UUID(p.resource.id)
    expect(ctx.client.providers.get(p.resource.id).name == "My P", "get created")
    ctx.client.providers.delete(p.resource.id)
    expect_http_error(lambda: ctx.client.providers.get(p.resource.id), 404)
    expect_http_error(lambda: ctx.client.providers.delete("lm_evaluation_harness"), 400, "read_only_provider")


@check("B8")
def collections_crud(ctx):
    c = ctx.client.collections.create({"name": "c", "category": "test", "benchmarks": [{"id": "arc_easy", "provider_id": "lm_evaluation_harness", "weight": 2}]})
    expect(c.benchmarks[0].weight == 2, "weight")
    expect_http_error(lambda: ctx.client.collections.create({"name": "c", "benchmarks": [{"id": "arc_easy", "provider_id": "lm_evaluation_harness"}]}), 400, "request_validation_failed")
    expect_http_error(lambda: ctx.client.collections.create({"name": "c", "category": "x", "benchmarks": []}), 400)
    patched = ctx.client.collections.patch(c.resource.id, [{"op": "replace", "path": "/name", "value": "n2"}])
    expect(patched.name == "n2", "patch")
    expect_http_error(lambda: ctx.client.collections.patch(c.resource.id, [{"op": "replace", "path": "/resource/id", "value": "x"}]), 400, "unallowed_patch")
    ctx.client.collections.delete(c.resource.id)
    expect_http_error(lambda: ctx.client.collections.get(c.resource.id), 404)


# ---------------------------------------------------------------- C. jobs


@check("C9")
def jobs_submit(ctx):
    job = ctx.client.jobs.submit(
        JobSubmissionRequest(name="j", model=ctx.model(), benchmarks=[BenchmarkConfig(id="arc_easy", provider_id=ctx.provider_id, parameters={"num_examples": 10, "hold_ms": 100})])
    )
    expect(job.resource.id and job.resource.created_at, "resource")
    expect(job.state == JobStatus.PENDING, f"state {job.state}")
    expect(job.status.message.message_code == "evaluation_job_created", f"message {job.status.message}")
    return job.resource.id


@check("C10")
def jobs_negative(ctx):
    base = {"name": "j", "model": {"url": "http://m:8000/v1", "name": "m"}}
    arc = {"id": "arc_easy", "provider_id": "lm_evaluation_harness"}
    cases = [
        ({**base, "benchmarks": [{"id": "x", "provider_id": "nope"}]}, 404, "resource_not_found"),
        ({**base, "benchmarks": [{"id": "nope", "provider_id": "lm_evaluation_harness"}]}, 400, "resource_does_not_exist"),
        ({**base, "benchmarks": [arc], "collection": {"id": "reasoning-v1"}}, 400, None),
        ({"name": "j", "benchmarks": [arc]}, 400, None),
        ({**base, "benchmarks": [arc], "experiment": {"name": ""}}, 400, None),
        ({**base, "benchmarks": [{**arc, "test_data_ref": {"git": {"url": "https://x/y"}, "resolved_sha": "abcdef1"}}]}, 400, "resolved_sha_read_only"),
    ]
    for body, status, code in cases:
        r = ctx.raw.post("/evaluations/jobs", json=body)
        expect(r.status_code == status, f"{body}: {r.status_code} {r.text}")
        if code:
            expect(r.json()["message_code"] == code, f"{body}: {r.text}")


@check("C11")
def jobs_collection(ctx):
    job = ctx.client.jobs.submit(JobSubmissionRequest(name="c", model=ctx.model(), collection=CollectionRef(id="reasoning-v1")))
    expect(job.state == JobStatus.PENDING, "collection job")
    coll = ctx.client.collections.get("reasoning-v1")
    expect(len(coll.benchmarks) == 6, "6 benchmarks")
    over = ctx.client.jobs.submit(
        JobSubmissionRequest(
            name="c2",
            model=ctx.model(),
            collection=CollectionRef(id="reasoning-v1", benchmarks=[BenchmarkConfig(id="ifeval", provider_id="lm_evaluation_harness", parameters={"num_examples": 5})]),
        )
    )
    expect(over.resource.id, "override accepted")
    expect_http_error(
        lambda: ctx.client.jobs.submit(
            JobSubmissionRequest(name="c3", model=ctx.model(), collection=CollectionRef(id="reasoning-v1", benchmarks=[BenchmarkConfig(id="x", provider_id="garak")]))
        ),
        400,
    )
    for j in (job, over):
        ctx.client.jobs.cancel(j.resource.id, hard_delete=True)


@check("C12")
def jobs_get_list(ctx):
    tenant = "list-" + uuid.uuid4().hex[:6]
    silent = ctx.silent_provider(tenant)
    ids = []
    for name, tags in (("a", ["t1", "t2"]), ("b", ["t1"]), ("c", ["t2"])):
        r = ctx.raw.post("/evaluations/jobs", headers={"X-Tenant": tenant}, json={"name": name, "tags": tags, "model": {"url": "http://m:8000/v1", "name": "m"}, "benchmarks": [{"id": "arc_easy", "provider_id": silent}]})
        ids.append(r.json()["resource"]["id"])
    got = ctx.client.jobs.get(ids[0], tenant=tenant)
    expect(got.resource.id == ids[0] and got.name == "a", "get")
    listed = ctx.client.jobs.list(tenant=tenant)
    expect([j.resource.id for j in listed] == list(reversed(ids)), "newest first")
    limited = ctx.client.jobs.list(limit=2, tenant=tenant)
    expect(len(limited) == 2, f"limit 2 -> {len(limited)}")
    page = ctx.raw.get("/evaluations/jobs", params={"limit": 1}, headers={"X-Tenant": tenant}).json()
    expect(page["first"]["href"] and page["next"]["href"].endswith("offset=1") and page["total_count"] == 3, json.dumps(page)[:300])
    either = ctx.raw.get("/evaluations/jobs", params={"status": "pending|running"}, headers={"X-Tenant": tenant}).json()
    expect(either["total_count"] == 3, "status OR filter")
    pending = ctx.client.jobs.list(status=JobStatus.PENDING, limit=2, tenant=tenant)
    expect(len(pending) == 2 and all(j.state == JobStatus.PENDING for j in pending), "SDK status filter")
    expect(ctx.raw.get("/evaluations/jobs", params={"name": "b"}, headers={"X-Tenant": tenant}).json()["total_count"] == 1, "name filter")
    expect(ctx.raw.get("/evaluations/jobs", params={"tags": "t1,t2"}, headers={"X-Tenant": tenant}).json()["total_count"] == 1, "tags AND")
    for i in ids:
        ctx.client.jobs.cancel(i, hard_delete=True, tenant=tenant)


@check("C13")
def jobs_cancel(ctx):
    job = ctx.client.jobs.submit(
        JobSubmissionRequest(name="slow", model=ctx.model(), benchmarks=[BenchmarkConfig(id="arc_easy", provider_id=ctx.provider_id, parameters={"hold_ms": 30000})])
    )
    jid = job.resource.id
    r = ctx.raw.delete(f"/evaluations/jobs/{jid}", params={"hard_delete": "foo"})
    expect(r.status_code == 400 and r.json()["message_code"] == "query_parameter_invalid", r.text)
    expect(ctx.client.jobs.cancel(jid) is True, "cancel")
    got = ctx.client.jobs.get(jid)
    expect(got.state == JobStatus.CANCELLED, f"state {got.state}")
    expect(all(b.status == "cancelled" for b in got.status.benchmarks), "benchmarks cancelled")
    expect(ctx.client.jobs.cancel(jid) is True, "second cancel")
    done = ctx.client.jobs.submit(JobSubmissionRequest(name="fast", model=ctx.model(), benchmarks=[BenchmarkConfig(id="arc_easy", provider_id=ctx.provider_id, parameters={})]))
    ctx.client.jobs.wait_for_completion(done.resource.id, timeout=60, poll_interval=0.5)
    try:
        ctx.client.jobs.cancel(done.resource.id)
        raise AssertionError("cancel of a completed job succeeded")
    except JobCanNotBeCancelledError as e:
        expect("completed" in str(e.reason), f"reason {e.reason}")
    try:
        ctx.client.jobs.cancel(str(uuid.uuid4()))
        raise AssertionError("cancel of an unknown job succeeded")
    except JobNotFoundError:
        pass
    expect(ctx.client.jobs.cancel(done.resource.id, hard_delete=True) is True, "hard delete")
    expect_http_error(lambda: ctx.client.jobs.get(done.resource.id), 404)


@check("C14")
def jobs_logs(ctx):
    job = ctx.client.jobs.submit(JobSubmissionRequest(name="logs", model=ctx.model(), benchmarks=[BenchmarkConfig(id="arc_easy", provider_id=ctx.provider_id, parameters={"hold_ms": 1500})]))
    jid = job.resource.id
    seen = []
    for update in ctx.client.jobs.watch_logs(jid, poll_interval=0.5):
        seen.append(update)
    expect(seen and seen[-1].job.state in (JobStatus.COMPLETED, JobStatus.FAILED), "watch_logs ended with a terminal job")
    text = ctx.client.jobs.get_logs(jid)
    expect("sdk adapter: job" in text, f"logs: {text[:300]}")
    one = ctx.client.jobs.get_logs(jid, benchmark_index=0, options=JobLogOptions(tail_lines=10, timestamps=True, since_seconds=60))
    expect(one.strip() and one[:4].isdigit(), f"timestamped: {one[:120]}")
    expect(ctx.raw.get(f"/evaluations/jobs/{jid}/logs", params={"tail_lines": -1}).status_code == 200, "tail -1")
    for bad in (0, 10001):
        r = ctx.raw.get(f"/evaluations/jobs/{jid}/logs", params={"tail_lines": bad})
        expect(r.status_code == 400, f"tail_lines={bad}: {r.status_code}")


@check("C15")
def tenants(ctx):
    ns1 = ctx.client_for("ns1")
    job = ns1.jobs.submit(JobSubmissionRequest(name="t", model=ctx.model(), benchmarks=[BenchmarkConfig(id="arc_easy", provider_id="lm_evaluation_harness", parameters={"num_examples": 1})]))
    expect_http_error(lambda: ns1.jobs.get(job.resource.id, tenant="ns2"), 404)
    expect(ns1.jobs.get(job.resource.id).resource.id == job.resource.id, "own tenant sees it")
    ns2 = ctx.client_for("ns2")
    expect(len([p for p in ns1.providers.list() if p.resource.owner == "system"]) == 9, "system providers visible to ns1")
    expect(len([p for p in ns2.providers.list() if p.resource.owner == "system"]) == 9, "system providers visible to ns2")
    ns1.jobs.cancel(job.resource.id, hard_delete=True)


# ---------------------------------------------------------------- D. adapter callbacks


@check("D16-D19")
def adapter_completes(ctx):
    job = ctx.client.jobs.submit(
        JobSubmissionRequest(
            name="adapter",
            model=ctx.model(),
            benchmarks=[BenchmarkConfig(id="arc_easy", provider_id=ctx.provider_id, parameters={"num_examples": 10, "hold_ms": 1500})],
        )
    )
    jid = job.resource.id
    mid = ctx.wait(jid, lambda j: j["status"]["benchmarks"] and j["status"]["benchmarks"][0].get("phase") == "initializing", what="running/initializing")
    b0 = mid["status"]["benchmarks"][0]
    expect(mid["status"]["state"] == "running", f"state {mid['status']['state']}")
    expect({k: b0[k] for k in ("provider_id", "id", "benchmark_index", "status", "phase")} == {"provider_id": ctx.provider_id, "id": "arc_easy", "benchmark_index": 0, "status": "running", "phase": "initializing"}, json.dumps(b0))
    expect(b0["warning_message"]["message_origin"] == "adapter", f"warning {b0.get('warning_message')}")
    done = ctx.client.jobs.wait_for_completion(jid, timeout=60, poll_interval=0.5)
    expect(done.state == JobStatus.COMPLETED, f"state {done.state}")
    raw = ctx.job_raw(jid)
    r0 = raw["results"]["benchmarks"][0]
    expect(r0["metrics"] == {"acc_norm": 0.66, "label": "x"}, f"metrics {r0['metrics']}")
    expect({"name": "acc_norm", "type": "numeric"} in r0["metrics_schema"] and {"name": "label", "type": "categorical"} in r0["metrics_schema"], f"schema {r0['metrics_schema']}")
    expect(r0["mlflow_run_id"] == "r1" and r0["additional_info"]["k"] == 1, "run id / additional info")
    expect("evalhub.env_card" in (r0.get("artifacts") or {}), f"artifacts {list((r0.get('artifacts') or {}).keys())}")
    # The v1 fields exactly; EvalHub adds `verdict` (no interval here: the point value decides).
    v1_test = {k: r0["test"][k] for k in ("primary_score", "primary_score_metric", "threshold", "pass")}
    expect(v1_test == {"primary_score": 0.66, "primary_score_metric": "acc_norm", "threshold": 0.25, "pass": True} and r0["test"].get("verdict") == "pass", f"test {r0['test']}")
    expect(raw["results"]["test"]["pass"] is True, f"job test {raw['results'].get('test')}")
    # D16: what the SDK parsed from our JobSpec.
    spec_files = [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(ctx.spec_dir, "jobs", jid)) for f in fs if f.endswith(".parsed.json")]
    spec = json.load(open(spec_files[0]))
    expect(spec["num_examples"] == 10 and "num_examples" not in spec["parameters"], f"num_examples lifted: {spec}")
    # The model URL is the worker's model gateway for this run (same path), which forwards to model.url.
    expect(spec["callback_url"].startswith("http") and re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", spec["model"]["url"] or "") and spec["model"]["name"] == "m", f"spec {spec}")
    expect(r0["additional_info"]["spec_num_examples"] == 10, "adapter saw num_examples")
    return f"completed; test {r0['test']}"


@check("D20")
def adapter_partial_and_failed(ctx):
    partial = ctx.client.jobs.submit(
        JobSubmissionRequest(
            name="partial",
            model=ctx.model(),
            benchmarks=[
                BenchmarkConfig(id="arc_easy", provider_id=ctx.provider_id, parameters={"mode": "fail"}),
                BenchmarkConfig(id="second", provider_id=ctx.provider_id, parameters={}),
            ],
        )
    )
    p = ctx.client.jobs.wait_for_completion(partial.resource.id, timeout=90, poll_interval=0.5)
    expect(p.state == JobStatus.PARTIALLY_FAILED, f"state {p.state}")
    msg = ctx.job_raw(partial.resource.id)["status"]["message"]["message"]
    expect("Benchmark arc_easy failed with message: the evaluation blew up on purpose" in msg, msg)
    failed = ctx.client.jobs.submit(
        JobSubmissionRequest(name="failed", model=ctx.model(), benchmarks=[BenchmarkConfig(id="arc_easy", provider_id=ctx.provider_id, parameters={"mode": "fail"})])
    )
    f = ctx.client.jobs.wait_for_completion(failed.resource.id, timeout=60, poll_interval=0.5)
    expect(f.state == JobStatus.FAILED, f"state {f.state}")


@check("D21")
def adapter_rejections(ctx):
    job = ctx.client.jobs.submit(JobSubmissionRequest(name="rej", model=ctx.model(), benchmarks=[BenchmarkConfig(id="arc_easy", provider_id=ctx.silent_id)]))
    jid = job.resource.id
    # Played as the adapter would: to the callback URL of its JobSpec, which carries the run's token.
    callback = ctx.callback_url(jid)
    url = f"{callback}/api/v1/evaluations/jobs/{jid}/events"
    base = {"provider_id": ctx.silent_id, "id": "arc_easy", "benchmark_index": 0}
    cases = [
        ({**base, "benchmark_index": 3, "status": "running"}, 403),
        ({**base, "provider_id": "garak", "status": "running"}, 404),
        ({**base, "provider_id": "", "status": "running"}, 400),
        ({**base, "status": "completed", "metrics": {"a": 1}, "metrics_schema": [{"name": "b", "type": "numeric"}]}, 400),
        ({**base, "status": "cancelled"}, 400),
    ]
    for ev, status in cases:
        r = httpx.post(url, json={"benchmark_status_event": ev}, timeout=30)
        expect(r.status_code == status, f"{ev}: {r.status_code} {r.text}")
    # Without the token (the base URL), the SDK's callbacks are refused; they log it and carry on.
    forged = httpx.post(f"{ctx.api}/evaluations/jobs/{jid}/events", headers={"X-Tenant": ctx.tenant or "any"}, json={"benchmark_status_event": {**base, "status": "completed", "metrics": {"acc": 1}}}, timeout=30)
    expect(forged.status_code == 401, f"forged: {forged.status_code} {forged.text}")
    cb = DefaultCallbacks(job_id=jid, provider_id=ctx.silent_id, benchmark_id="arc_easy", benchmark_index=0, sidecar_url=ctx.base_url)
    cb.report_status(JobStatusUpdate(status=JobStatus.RUNNING))
    expect([b["status"] for b in ctx.job_raw(jid)["status"]["benchmarks"]] == ["pending"], "rejected events changed nothing")
    # With the JobSpec's callback URL, the same SDK callbacks are accepted.
    ok = DefaultCallbacks(job_id=jid, provider_id=ctx.silent_id, benchmark_id="arc_easy", benchmark_index=0, sidecar_url=callback)
    ok.report_status(JobStatusUpdate(status=JobStatus.RUNNING))
    ctx.wait(jid, lambda j: j["status"]["benchmarks"][0]["status"] == "running", what="running via the callback URL")
    ctx.client.jobs.cancel(jid)
    r = httpx.post(url, json={"benchmark_status_event": {**base, "status": "running"}}, timeout=30)
    expect(r.status_code in (401, 409), f"after terminal: {r.status_code}")


@check("D22")
def adapter_headers(ctx):
    silent = ctx.silent_provider("ns-adapter")
    r = ctx.raw.post(
        "/evaluations/jobs",
        headers={"X-Tenant": "ns-adapter"},
        json={"name": "h", "model": {"url": "http://m:8000/v1", "name": "m"}, "benchmarks": [{"id": "arc_easy", "provider_id": silent}]},
    )
    jid = r.json()["resource"]["id"]
    # The headers the SDK sends in k8s mode (a tenant, a service-account bearer) do not get in the
    # way of the run's own credential.
    ev = httpx.post(
        f"{ctx.callback_url(jid)}/api/v1/evaluations/jobs/{jid}/events",
        headers={"X-Tenant": "ns-adapter", "Authorization": "Bearer token"},
        json={"benchmark_status_event": {"provider_id": silent, "id": "arc_easy", "benchmark_index": 0, "status": "running"}},
        timeout=30,
    )
    expect(ev.status_code == 204, f"{ev.status_code} {ev.text}")
    ctx.raw.delete(f"/evaluations/jobs/{jid}", params={"hard_delete": "true"}, headers={"X-Tenant": "ns-adapter"})


@check("CLI")
def cli_roundtrip(ctx):
    run = subprocess.run(
        ["evalhub", "--base-url", ctx.base_url, "eval", "run", "--name", "cli-job", "--model-url", "http://model.local:8000/v1", "--model-name", "m", "--provider", ctx.provider_id, "-b", "arc_easy", "--wait"],
        capture_output=True, text=True, timeout=120, env=cli_env(ctx),
    )
    expect(run.returncode == 0, f"eval run exit {run.returncode}: {run.stdout} {run.stderr}")
    job_id = next((line.split(":", 1)[1].strip() for line in (run.stdout + run.stderr).splitlines() if line.startswith("Job submitted:")), None)
    expect(job_id, f"no job id in: {run.stdout} {run.stderr}")
    status = subprocess.run(["evalhub", "--base-url", ctx.base_url, "eval", "status", job_id], capture_output=True, text=True, timeout=60, env=cli_env(ctx))
    expect(status.returncode == 0 and "completed" in status.stdout.lower(), f"eval status: {status.stdout} {status.stderr}")
    return status.stdout.strip()[:200]


def cli_env(ctx):
    env = dict(os.environ)
    if ctx.cli_token:
        # The CLI sends no tenant: its token names exactly one.
        env["EVALHUB_TOKEN"] = ctx.cli_token
    # Keep the CLI's profile store out of the user's home.
    env.setdefault("HOME", os.environ.get("EVALHUB_TEST_HOME", "/tmp"))
    return env


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--adapter-cmd", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--only", default="")
    ap.add_argument("--token", default=None)
    ap.add_argument("--tenant", default=None)
    ap.add_argument("--cli-token", default=None)
    args = ap.parse_args()
    ctx = Ctx(args.base_url, args.adapter_cmd, args.data_dir, token=args.token, tenant=args.tenant, cli_token=args.cli_token)
    ctx.provider_id = ctx.adapter_provider()
    ctx.silent_id = ctx.silent_provider()
    report = []
    for check_id, fn in CHECKS:
        if args.only and check_id not in args.only.split(","):
            continue
        started = time.time()
        try:
            detail = fn(ctx)
            report.append({"id": check_id, "name": fn.__name__, "ok": True, "detail": str(detail or ""), "seconds": round(time.time() - started, 2)})
        except Exception as e:
            report.append({"id": check_id, "name": fn.__name__, "ok": False, "detail": f"{type(e).__name__}: {e}\n{traceback.format_exc()}", "seconds": round(time.time() - started, 2)})
    with open(args.report, "w") as fh:
        json.dump(report, fh, indent=1)
    return 0 if all(r["ok"] for r in report) else 1


if __name__ == "__main__":
    sys.exit(main())
