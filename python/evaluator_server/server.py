"""EvalHub's NeMo Evaluator container: the remote end of the `nemo_evaluator` executor.

Serves, on port 3825 by default:
  GET  /health    {"status": "ok", "running": N, "evaluations": [...]}   (how busy, what it can run)
  POST /evaluate  runs one evaluation with the real NeMo Evaluator (nemo-evaluator 0.2.x) and
                  answers its results (protocol.schema.json says both shapes)

Usage (from the nemo-evaluator environment):
  python server.py [--host 0.0.0.0] [--port 3825] [--benchmarks DIR] [--work-dir DIR]
  EVALUATOR_AUTH_TOKEN=...   when set, every request but /health needs "Authorization: Bearer <it>"

--benchmarks names a folder of NeMo Evaluator BYOB benchmark files (@benchmark / @scorer, local
data): each is compiled at start into this server's own folder and offered as
`byob_<name>.<name>`, beside the evaluations of the installed harness packages. Nothing is
written into the environment (no .pth file): the compiled packages are added to the
`nemo_evaluator` package path of each evaluation's own process.

Each evaluation runs as `nemo-evaluator run_eval --run_config <file>` in its own process and
folder. NeMo Evaluator starts an interceptor proxy on a port of its own (ADAPTER_PORT, 3825 by
default: the same as ours), so every run is given a free port for it.
"""

import argparse
import datetime as dt
import glob
import json
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jinja2
import jsonschema
import yaml

HERE = pathlib.Path(__file__).resolve().parent
# The protocol is EvalHub's (the executor validates against the same file): next to this file in
# the image, in the executor's folder in the repository.
SCHEMA_FILE = next(p for p in (HERE / "protocol.schema.json", HERE.parent.parent / "src" / "executors" / "nemo-evaluator" / "protocol.schema.json") if p.exists())
SCHEMA = json.loads(SCHEMA_FILE.read_text())
MAX_BODY = 1 << 20
MAX_ARTIFACT = 1 << 20
KEY_ENV = "EVALHUB_MODEL_API_KEY"
# Started in the evaluation's process: the compiled BYOB packages join the nemo_evaluator namespace
# (what the .pth file of `nemo-evaluator-byob` would do, without touching the environment).
BOOT = (
    "import sys, glob, nemo_evaluator;"
    "nemo_evaluator.__path__.extend(glob.glob(sys.argv[1] + '/*/nemo_evaluator'));"
    "sys.argv = ['nemo-evaluator'] + sys.argv[2:];"
    "from nemo_evaluator.core.entrypoint import run_eval; run_eval()"
)
# NeMo Evaluator 0.2.8's BYOB runner writes <output_dir>/<benchmark>/byob_results.json, while the
# parser it generates reads <output_dir>/byob_results.json. The generated parser is replaced by one
# that reads either place (our compiled copy only; the library is not changed).
BYOB_OUTPUT = '''"""Output parser for a BYOB benchmark (EvalHub: also reads the runner's per-benchmark folder)."""
import glob
import json
import os

from nemo_evaluator.api.api_dataclasses import EvaluationResult


def parse_output(output_dir: str) -> EvaluationResult:
    candidates = [os.path.join(output_dir, "byob_results.json")] + sorted(glob.glob(os.path.join(output_dir, "*", "byob_results.json")))
    for path in candidates:
        if os.path.exists(path):
            with open(path) as f:
                return EvaluationResult.model_validate(json.load(f))
    raise FileNotFoundError(f"no byob_results.json in {output_dir} or its subfolders")
'''


def validator(name):
    return jsonschema.Draft7Validator({**SCHEMA["definitions"][name], "definitions": SCHEMA["definitions"]})


REQUEST = validator("EvaluateRequest")
RESPONSE = validator("EvaluateResponse")


def now():
    return dt.datetime.now(dt.timezone.utc).isoformat()


def log(msg):
    print(f"{now()} evaluator: {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nemo_version():
    try:
        from importlib.metadata import version

        return version("nemo-evaluator")
    except Exception:  # noqa: BLE001 - only shown in /health
        return "unknown"


class Evaluator:
    def __init__(self, work_dir: pathlib.Path, benchmarks_dir, max_seconds: int):
        self.work_dir = work_dir
        self.byob_dir = work_dir / "byob"
        self.max_seconds = max_seconds
        self.running = 0
        self.lock = threading.Lock()
        self.version = nemo_version()
        self.byob_dir.mkdir(parents=True, exist_ok=True)
        if benchmarks_dir:
            for f in sorted(pathlib.Path(benchmarks_dir).glob("*.py")):
                self.compile(f)
        self.evaluations = self.list_evaluations()

    def compile(self, module: pathlib.Path):
        """Compiles one BYOB file into this server's folder (no install into the environment)."""
        bindir = pathlib.Path(sys.executable).parent
        out = subprocess.run(
            [str(bindir / "nemo-evaluator-byob"), str(module), "--install-dir", str(self.byob_dir), "--no-install"],
            capture_output=True,
            text=True,
            env=self.env(),
        )
        if out.returncode != 0:
            raise SystemExit(f"evaluator: BYOB benchmark {module} did not compile:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
        for parser in glob.glob(str(self.byob_dir / "*" / "nemo_evaluator" / "*" / "output.py")):
            pathlib.Path(parser).write_text(BYOB_OUTPUT)
        log(f"compiled BYOB benchmark {module.name}")

    def env(self, extra=None):
        bindir = str(pathlib.Path(sys.executable).parent)
        env = {k: v for k, v in os.environ.items() if k != "EVALUATOR_AUTH_TOKEN"}
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        env["NEMO_EVALUATOR_TELEMETRY_LEVEL"] = "0"
        env.update(extra or {})
        return env

    def list_evaluations(self):
        code = (
            "import sys, glob, json, nemo_evaluator;"
            "nemo_evaluator.__path__.extend(glob.glob(sys.argv[1] + '/*/nemo_evaluator'));"
            "from nemo_evaluator.core.input import get_available_evaluations;"
            "m, _, _ = get_available_evaluations();"
            "print(json.dumps(sorted(t if t.startswith(h + '.') else f'{h}.{t}' for h, ts in m.items() for t in ts)))"
        )
        out = subprocess.run([sys.executable, "-c", code, str(self.byob_dir)], capture_output=True, text=True, env=self.env())
        if out.returncode != 0:
            raise SystemExit(f"evaluator: cannot list evaluations:\n{out.stderr[-2000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def evaluate(self, req):
        """Runs one evaluation; returns (status, body)."""
        eval_type = req["config"]["type"]
        known = [e for e in self.evaluations if e == eval_type or e.split(".", 1)[-1] == eval_type]
        if not known:
            return 400, {"error": f"unknown evaluation type '{eval_type}'; this container offers: {', '.join(self.evaluations) or '(none)'}"}
        try:
            command = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(req["command"]).render(config=req["config"], target=redacted_target(req["target"]))
        except jinja2.TemplateError as e:
            return 400, {"error": f"command: the template does not render: {e}"}
        run_id = uuid.uuid4().hex[:12]
        run_dir = self.work_dir / "runs" / run_id
        out_dir = run_dir / "out"
        out_dir.mkdir(parents=True)
        endpoint = req["target"]["api_endpoint"]
        params = {k: v for k, v in req["config"]["params"].items() if v is not None}
        # Without interceptors of our own, NeMo Evaluator builds its chain from the legacy flags, where
        # the post-evaluation report hook (HTML and JSON reports) is `generate_html_report`.
        adapter = {"generate_html_report": req["run_post_hooks"]}
        run_config = {
            "config": {"type": known[0], "output_dir": str(out_dir), "params": params},
            "target": {
                "api_endpoint": {
                    "url": endpoint["url"],
                    "model_id": endpoint["model_id"],
                    "type": endpoint["type"],
                    **({"api_key_name": KEY_ENV} if endpoint.get("api_key") else {}),
                    "adapter_config": adapter,
                }
            },
        }
        (run_dir / "run_config.yml").write_text(yaml.safe_dump(run_config, sort_keys=False))
        log(f"run {run_id}: {command} ({known[0]}, model {endpoint['model_id']} at {endpoint['url']}, framework {req['framework_name']})")
        started = time.time()
        started_at = now()
        with self.lock:
            self.running += 1
        try:
            proc = subprocess.run(
                [sys.executable, "-c", BOOT, str(self.byob_dir), "run_eval", "--run_config", str(run_dir / "run_config.yml")],
                cwd=run_dir,
                capture_output=True,
                text=True,
                timeout=self.max_seconds,
                env=self.env({"ADAPTER_PORT": str(free_port()), **({KEY_ENV: endpoint["api_key"]} if endpoint.get("api_key") else {})}),
            )
        except subprocess.TimeoutExpired:
            return 504, {"error": f"the evaluation ran longer than {self.max_seconds} s and was stopped"}
        finally:
            with self.lock:
                self.running -= 1
        output = scrub(proc.stdout + proc.stderr, endpoint.get("api_key"))
        (run_dir / "nemo-evaluator.log").write_text(output)
        results_file = out_dir / "results.yml"
        if proc.returncode != 0 or not results_file.exists():
            log(f"run {run_id}: NeMo Evaluator failed (exit {proc.returncode})")
            return 422, {"error": f"NeMo Evaluator failed (exit {proc.returncode}) on {known[0]}", "details": tail(output)}
        doc = yaml.safe_load(results_file.read_text()) or {}
        results = doc.get("results") or {}
        artifacts, omitted = {}, []
        for f in sorted(out_dir.rglob("*")):
            if not f.is_file() or f.suffix not in (".yml", ".yaml", ".json", ".jsonl", ".html", ".txt"):
                continue
            name = str(f.relative_to(out_dir))
            if f.stat().st_size > MAX_ARTIFACT:
                omitted.append(name)
                continue
            artifacts[name] = scrub(f.read_text(errors="replace"), endpoint.get("api_key"))
        artifacts["nemo-evaluator.log"] = tail(output, MAX_ARTIFACT)
        body = {
            "status": "completed",
            "command": command,
            "eval_type": known[0],
            "nemo_evaluator_version": self.version,
            "results": {"tasks": results.get("tasks") or {}, "groups": results.get("groups")},
            "artifacts": artifacts,
            "omitted": omitted,
            "timing": {"started_at": started_at, "finished_at": now(), "duration_seconds": round(time.time() - started, 3)},
        }
        errors = sorted(RESPONSE.iter_errors(body), key=str)
        if errors:
            return 500, {"error": f"the evaluator built an invalid response: {errors[0].message}"}
        log(f"run {run_id}: completed in {body['timing']['duration_seconds']} s")
        shutil.rmtree(out_dir / "cache", ignore_errors=True)
        return 200, body


def redacted_target(target):
    api = dict(target["api_endpoint"])
    if "api_key" in api:
        api["api_key"] = "***"
    return {**target, "api_endpoint": api}


def scrub(text, key):
    return text.replace(key, "***") if key and len(key) >= 4 else text


def tail(text, n=4000):
    return text[-n:]


def handler_for(evaluator: Evaluator, token):
    class Handler(BaseHTTPRequestHandler):
        server_version = "evalhub-nemo-evaluator/1"

        def log_message(self, fmt, *args):  # requests are logged by the evaluator itself
            pass

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def authorized(self):
            if not token:
                return True
            got = self.headers.get("Authorization", "")
            return secrets.compare_digest(got.encode(), f"Bearer {token}".encode())

        def do_GET(self):
            if self.path.split("?")[0] != "/health":
                return self.answer(404, {"error": f"no route GET {self.path}"})
            self.answer(200, {"status": "ok", "running": evaluator.running, "evaluations": evaluator.evaluations, "nemo_evaluator_version": evaluator.version})

        def do_POST(self):
            if self.path.split("?")[0] != "/evaluate":
                return self.answer(404, {"error": f"no route POST {self.path}"})
            if not self.authorized():
                return self.answer(401, {"error": "missing or wrong bearer token"})
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self.answer(413, {"error": f"request body over {MAX_BODY} bytes"})
            try:
                req = json.loads(self.rfile.read(length) or b"null")
            except json.JSONDecodeError as e:
                return self.answer(400, {"error": f"the body is not JSON: {e}"})
            errors = sorted(REQUEST.iter_errors(req), key=lambda e: list(e.absolute_path))
            if errors:
                where = "/".join(str(p) for p in errors[0].absolute_path) or "(body)"
                return self.answer(400, {"error": f"invalid request at {where}: {errors[0].message}"})
            status, body = evaluator.evaluate(req)
            self.answer(status, body)

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=3825)
    ap.add_argument("--benchmarks", help="folder of BYOB benchmark files to offer")
    ap.add_argument("--work-dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "evalhub-evaluator"))
    ap.add_argument("--max-seconds", type=int, default=3600, help="longest an evaluation may run")
    args = ap.parse_args()
    evaluator = Evaluator(pathlib.Path(args.work_dir), args.benchmarks, args.max_seconds)
    token = os.environ.get("EVALUATOR_AUTH_TOKEN") or None
    server = ThreadingHTTPServer((args.host, args.port), handler_for(evaluator, token))
    log(f"listening on {args.host}:{server.server_address[1]} (NeMo Evaluator {evaluator.version}; {len(evaluator.evaluations)} evaluations; auth {'on' if token else 'off'})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
