"""A fake Kubeflow Pipelines API server for EvalHub's tests.

It speaks the KFP v2beta1 REST protocol for the calls EvalHub and the official `kfp` client make
(healthz; pipelines: upload, upload_version, list, get, versions; experiments: create, list, get;
runs: create, get, list, terminate), checks every pipeline spec against kfp-pipeline-spec (the
protobuf messages KFP itself parses), and *executes* a run: each task's container command runs as a
local subprocess, with the image mapped to a folder on this machine (--image NAME=DIR). Run states
follow KFP's (PENDING, RUNNING, SUCCEEDED, FAILED, CANCELING, CANCELED), with KFP-style errors.

    python fake_kfp.py --port N [--token T] [--tls-cert C --tls-key K] [--image IMG=DIR ...]

Test-only routes: GET /fake/calls (every API call seen), GET /fake/runs/{id}/output.
"""

import argparse
import json
import os
import re
import signal
import ssl
import subprocess
import threading
import uuid
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import yaml
from google.protobuf import json_format
from kfp.pipeline_spec import pipeline_spec_pb2

LOCK = threading.RLock()
PIPELINES = {}  # id -> pipeline
VERSIONS = {}  # id -> version (with its spec)
EXPERIMENTS = {}  # id -> experiment
RUNS = {}  # id -> run
PROCS = {}  # run id -> Popen
OUTPUT = {}  # run id -> output text
CALLS = []
ARGS = None

TERMINAL = {"SUCCEEDED", "FAILED", "CANCELED", "SKIPPED"}


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ApiError(Exception):
    """A grpc-gateway error answer: HTTP status, gRPC code, message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def check_spec(spec):
    """The spec must parse as KFP's PipelineSpec, and its deploymentSpec as PipelineDeploymentConfig."""
    if not isinstance(spec, dict):
        raise ApiError(400, 3, "pipeline spec must be an object")
    try:
        parsed = json_format.ParseDict(spec, pipeline_spec_pb2.PipelineSpec())
        json_format.ParseDict(spec.get("deploymentSpec") or {}, pipeline_spec_pb2.PipelineDeploymentConfig())
    except json_format.ParseError as e:
        raise ApiError(400, 3, f"Failed to parse the pipeline spec: {e}")
    if not parsed.pipeline_info.name:
        raise ApiError(400, 3, "Invalid pipeline spec: pipelineInfo.name is empty")
    if not parsed.root.dag.tasks:
        raise ApiError(400, 3, "Invalid pipeline spec: the root DAG has no tasks")
    for name, task in parsed.root.dag.tasks.items():
        comp = parsed.components.get(task.component_ref.name)
        if comp is None:
            raise ApiError(400, 3, f"Invalid pipeline spec: task {name} refers to unknown component {task.component_ref.name}")
        if comp.executor_label not in (spec.get("deploymentSpec") or {}).get("executors", {}):
            raise ApiError(400, 3, f"Invalid pipeline spec: component {task.component_ref.name} has no executor {comp.executor_label}")
    return parsed


def parse_filter(raw):
    """A V2beta1Filter as the kfp client sends it: EQUALS predicates on a string key."""
    if not raw:
        return []
    try:
        f = json.loads(raw)
    except ValueError:
        raise ApiError(400, 3, f"Invalid filter: {raw}")
    preds = []
    for p in f.get("predicates", []):
        op = p.get("operation")
        if op not in (1, "EQUALS"):
            raise ApiError(400, 3, f"Invalid filter: only EQUALS is supported here, got {op}")
        preds.append((p.get("key"), p.get("stringValue", p.get("string_value"))))
    return preds


def matches(item, preds):
    return all(str(item.get(k)) == v for k, v in preds)


def public_version(v):
    return {k: v[k] for k in ("pipeline_id", "pipeline_version_id", "display_name", "name", "description", "created_at", "pipeline_spec")}


def upload_body(handler, body):
    ctype = handler.headers.get("Content-Type", "")
    if not ctype.startswith("multipart/form-data"):
        raise ApiError(400, 3, "upload needs multipart/form-data with an uploadfile part")
    msg = BytesParser(policy=email_policy).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    for part in msg.iter_parts():
        if part.get_param("name", header="content-disposition") == "uploadfile":
            try:
                return yaml.safe_load(part.get_payload(decode=True))
            except yaml.YAMLError as e:
                raise ApiError(400, 3, f"Failed to read the pipeline file: {e}")
    raise ApiError(400, 3, "the request has no uploadfile part")


def resolve(text, inputs):
    def sub(m):
        name = m.group(1)
        if name not in inputs:
            raise ApiError(400, 3, f"unknown input parameter {name}")
        v = inputs[name]
        return v if isinstance(v, str) else json.dumps(v)

    return re.sub(r"\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}", sub, text)


def set_state(run, state, error=None):
    with LOCK:
        if run["state"] in TERMINAL:
            return
        run["state"] = state
        run["state_history"].append({"update_time": now(), "state": state})
        for t in run["run_details"]["task_details"]:
            t["state"] = state
            if error:
                t["error"] = {"code": 9, "message": error}
        if error:
            run["error"] = {"code": 9, "message": error, "details": []}
        if state in TERMINAL:
            run["finished_at"] = now()


def execute(run, spec, params):
    """Runs the pipeline's tasks in order, each container command as a local process."""
    out = []
    OUTPUT[run["run_id"]] = out
    deployment = spec["deploymentSpec"]["executors"]
    for name, task in spec["root"]["dag"]["tasks"].items():
        if run["state"] in TERMINAL or run["state"] == "CANCELING":
            return
        comp = spec["components"][task["componentRef"]["name"]]
        container = deployment[comp["executorLabel"]]["container"]
        inputs = {}
        for pname, p in (task.get("inputs", {}).get("parameters") or {}).items():
            if "componentInputParameter" in p:
                inputs[pname] = params.get(p["componentInputParameter"])
            elif "runtimeValue" in p:
                inputs[pname] = p["runtimeValue"].get("constant")
        image = container.get("image", "")
        cwd = ARGS.images.get(image)
        if cwd is None:
            set_state(run, "FAILED", f"task '{name}' failed: the image \"{image}\" could not be pulled (ErrImagePull: repository not found)")
            return
        argv = [resolve(a, inputs) for a in (container.get("command") or []) + (container.get("args") or [])]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
        for e in container.get("env") or []:
            env[e["name"]] = resolve(e.get("value", ""), inputs)
        spec_dir = os.path.join(ARGS.work_dir, run["run_id"], name)
        os.makedirs(spec_dir, exist_ok=True)
        env.setdefault("EVALHUB_JOB_SPEC_PATH", os.path.join(spec_dir, "meta", "job.json"))
        env.setdefault("EVALHUB_WORK_DIR", os.path.join(spec_dir, "work"))
        set_state(run, "RUNNING")
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        PROCS[run["run_id"]] = proc
        for line in proc.stdout:
            out.append(line.decode("utf-8", "replace"))
        code = proc.wait()
        if run["state"] == "CANCELING":
            set_state(run, "CANCELED")
            return
        if code != 0:
            set_state(run, "FAILED", f"task '{name}' failed: the container exited with code {code}")
            return
    set_state(run, "SUCCEEDED")


def terminate(run):
    with LOCK:
        if run["state"] in TERMINAL:
            return
        proc = PROCS.get(run["run_id"])
        run["state"] = "CANCELING"
        run["state_history"].append({"update_time": now(), "state": "CANCELING"})
    if proc is None or proc.poll() is not None:
        set_state(run, "CANCELED")
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass

    def reap():
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        set_state(run, "CANCELED")

    threading.Thread(target=reap, daemon=True).start()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path.startswith("/fake/"):
            return self.fake(url.path)
        CALLS.append({"method": method, "path": url.path, "query": query, "authorization": self.headers.get("Authorization")})
        try:
            if ARGS.token and self.headers.get("Authorization") != f"Bearer {ARGS.token}":
                raise ApiError(401, 16, "Unauthenticated: the request has no valid bearer token")
            status, answer = self.route(method, url.path, query, body)
            self.answer(status, answer)
        except ApiError as e:
            self.answer(e.status, {"error": e.message, "code": e.code, "message": e.message, "details": []})

    def fake(self, path):
        if path == "/fake/calls":
            return self.answer(200, CALLS)
        m = re.fullmatch(r"/fake/runs/([^/]+)/output", path)
        if m:
            return self.answer(200, {"output": "".join(OUTPUT.get(m.group(1), []))})
        return self.answer(404, {"error": "not found"})

    def route(self, method, path, q, body):
        p = path[len("/apis/v2beta1"):] if path.startswith("/apis/v2beta1") else None
        if p is None:
            raise ApiError(404, 5, f"Not Found: {path}")
        js = lambda: json.loads(body or b"{}")  # noqa: E731
        if method == "GET" and p == "/healthz":
            return 200, {"commit_sha": "fake", "tag_name": "2.5.0-fake", "multi_user": False, "pipeline_store": "database"}
        if method == "POST" and p == "/pipelines/upload":
            spec = upload_body(self, body)
            check_spec(spec)
            name = q.get("name") or q.get("display_name") or spec["pipelineInfo"]["name"]
            with LOCK:
                if any(x["display_name"] == name for x in PIPELINES.values()):
                    raise ApiError(409, 6, f"Failed to create a pipeline: a pipeline named {name} already exists")
                pid = str(uuid.uuid4())
                PIPELINES[pid] = {"pipeline_id": pid, "display_name": name, "name": name, "description": q.get("description", ""), "created_at": now(), "namespace": q.get("namespace", "")}
                vid = str(uuid.uuid4())
                VERSIONS[vid] = {"pipeline_id": pid, "pipeline_version_id": vid, "display_name": name, "name": name, "description": "", "created_at": now(), "pipeline_spec": spec}
            return 200, PIPELINES[pid]
        if method == "POST" and p == "/pipelines/upload_version":
            pid = q.get("pipelineid")
            if pid not in PIPELINES:
                raise ApiError(404, 5, f"Pipeline {pid} not found")
            spec = upload_body(self, body)
            check_spec(spec)
            name = q.get("name") or q.get("display_name")
            if not name:
                raise ApiError(400, 3, "a pipeline version needs a name")
            with LOCK:
                if any(v["pipeline_id"] == pid and v["display_name"] == name for v in VERSIONS.values()):
                    raise ApiError(409, 6, f"Failed to create a pipeline version: {name} already exists")
                vid = str(uuid.uuid4())
                VERSIONS[vid] = {"pipeline_id": pid, "pipeline_version_id": vid, "display_name": name, "name": name, "description": q.get("description", ""), "created_at": now(), "pipeline_spec": spec}
            return 200, public_version(VERSIONS[vid])
        if method == "GET" and p == "/pipelines":
            preds = parse_filter(q.get("filter"))
            items = [x for x in PIPELINES.values() if matches(x, preds)]
            return 200, ({"pipelines": items, "total_size": len(items)} if items else {})
        m = re.fullmatch(r"/pipelines/([^/]+)", p)
        if method == "GET" and m:
            if m.group(1) not in PIPELINES:
                raise ApiError(404, 5, f"Pipeline {m.group(1)} not found")
            return 200, PIPELINES[m.group(1)]
        m = re.fullmatch(r"/pipelines/([^/]+)/versions", p)
        if method == "GET" and m:
            preds = parse_filter(q.get("filter"))
            items = [public_version(v) for v in VERSIONS.values() if v["pipeline_id"] == m.group(1) and matches(v, preds)]
            return 200, ({"pipeline_versions": items, "total_size": len(items)} if items else {})
        m = re.fullmatch(r"/pipelines/([^/]+)/versions/([^/]+)", p)
        if method == "GET" and m:
            v = VERSIONS.get(m.group(2))
            if not v or v["pipeline_id"] != m.group(1):
                raise ApiError(404, 5, f"Pipeline version {m.group(2)} not found")
            return 200, public_version(v)
        if method == "POST" and p == "/experiments":
            b = js()
            if not b.get("display_name"):
                raise ApiError(400, 3, "Invalid input error: an experiment needs a display_name")
            with LOCK:
                if any(e["display_name"] == b["display_name"] and e["namespace"] == b.get("namespace", "") for e in EXPERIMENTS.values()):
                    raise ApiError(409, 6, f"Failed to create an experiment: {b['display_name']} already exists")
                eid = str(uuid.uuid4())
                EXPERIMENTS[eid] = {"experiment_id": eid, "display_name": b["display_name"], "description": b.get("description", ""), "created_at": now(), "namespace": b.get("namespace", ""), "storage_state": "AVAILABLE"}
            return 200, EXPERIMENTS[eid]
        if method == "GET" and p == "/experiments":
            preds = parse_filter(q.get("filter"))
            items = [e for e in EXPERIMENTS.values() if matches(e, preds)]
            return 200, ({"experiments": items, "total_size": len(items)} if items else {})
        m = re.fullmatch(r"/experiments/([^/:]+)", p)
        if method == "GET" and m:
            if m.group(1) not in EXPERIMENTS:
                raise ApiError(404, 5, f"Experiment {m.group(1)} not found")
            return 200, EXPERIMENTS[m.group(1)]
        if method == "POST" and p == "/runs":
            return 200, self.create_run(js())
        if method == "GET" and p == "/runs":
            items = [r for r in RUNS.values() if not q.get("experiment_id") or r["experiment_id"] == q["experiment_id"]]
            items = [r for r in items if matches(r, parse_filter(q.get("filter")))]
            return 200, ({"runs": items, "total_size": len(items)} if items else {})
        m = re.fullmatch(r"/runs/([^/:]+)", p)
        if method == "GET" and m:
            if m.group(1) not in RUNS:
                raise ApiError(404, 5, f"Run {m.group(1)} not found")
            return 200, RUNS[m.group(1)]
        m = re.fullmatch(r"/runs/([^/:]+):terminate", p)
        if method == "POST" and m:
            if m.group(1) not in RUNS:
                raise ApiError(404, 5, f"Run {m.group(1)} not found")
            terminate(RUNS[m.group(1)])
            return 200, {}
        raise ApiError(404, 5, f"Not Found: {method} {path}")

    def create_run(self, b):
        if not b.get("display_name"):
            raise ApiError(400, 3, "Invalid input error: a run needs a display_name")
        ref = b.get("pipeline_version_reference") or {}
        if b.get("pipeline_spec"):
            spec = b["pipeline_spec"]
        elif ref.get("pipeline_version_id"):
            v = VERSIONS.get(ref["pipeline_version_id"])
            if not v or (ref.get("pipeline_id") and v["pipeline_id"] != ref["pipeline_id"]):
                raise ApiError(404, 5, f"Pipeline version {ref['pipeline_version_id']} not found")
            spec = v["pipeline_spec"]
        else:
            raise ApiError(400, 3, "Invalid input error: a run needs a pipeline_spec or a pipeline_version_reference")
        check_spec(spec)
        eid = b.get("experiment_id")
        if eid and eid not in EXPERIMENTS:
            raise ApiError(404, 5, f"Experiment {eid} not found")
        declared = set((spec.get("root", {}).get("inputDefinitions", {}).get("parameters") or {}).keys())
        params = (b.get("runtime_config") or {}).get("parameters") or {}
        missing = declared - set(params)
        if missing:
            raise ApiError(400, 3, f"Invalid input error: missing pipeline parameters {sorted(missing)}")
        rid = str(uuid.uuid4())
        run = {
            "run_id": rid,
            "display_name": b["display_name"],
            "experiment_id": eid or "",
            "pipeline_version_reference": ref,
            "runtime_config": {"parameters": params},
            "service_account": b.get("service_account", ""),
            "storage_state": "AVAILABLE",
            "created_at": now(),
            "scheduled_at": now(),
            "state": "PENDING",
            "state_history": [{"update_time": now(), "state": "PENDING"}],
            "run_details": {"task_details": [{"display_name": n, "state": "PENDING"} for n in spec["root"]["dag"]["tasks"]]},
        }
        with LOCK:
            RUNS[rid] = run
        threading.Thread(target=execute, args=(run, spec, params), daemon=True).start()
        return run

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--work-dir", default="/tmp/fake-kfp")
    ap.add_argument("--image", action="append", default=[], help="IMAGE=DIR: run this image's commands in DIR")
    ARGS = ap.parse_args()
    ARGS.images = dict(x.split("=", 1) for x in ARGS.image)
    os.makedirs(ARGS.work_dir, exist_ok=True)
    server = ThreadingHTTPServer((ARGS.host, ARGS.port), Handler)
    if ARGS.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.tls_cert, ARGS.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    print(f"fake KFP listening on {ARGS.host}:{ARGS.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
