"""Drives the fake KFP server with the official kfp client (2.17.3), the way a user would, and
prints what happened as one JSON object for the test to check.

    python kfp_client_check.py URL WORKDIR TOKEN CA_FILE
"""

import json
import sys
import time

import kfp
from kfp import dsl

url, work, token, ca = sys.argv[1:5]


@dsl.container_component
def say(text: str):
    return dsl.ContainerSpec(image="evalhub-test/shell:1", command=["sh", "-c", 'echo "said: $0"'], args=[text])


@dsl.container_component
def wait_forever():
    # Runs until it is terminated: the run is cancelled from outside.
    return dsl.ContainerSpec(image="evalhub-test/shell:1", command=["sh", "-c", "exec tail -f /dev/null"])


@dsl.container_component
def broken():
    return dsl.ContainerSpec(image="evalhub-test/shell:1", command=["sh", "-c", "echo failing >&2; exit 7"])


@dsl.pipeline(name="hello")
def hello(text: str = "hi"):
    say(text=text)


@dsl.pipeline(name="forever")
def forever():
    wait_forever()


@dsl.pipeline(name="broken")
def broken_pipeline():
    broken()


def wait_state(run_id, states, timeout=30):
    """Polls the run until its state is one of `states` (or the time is up); returns the last state."""
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = client.get_run(run_id).state
        if state in states:
            return state
        time.sleep(0.2)
    return state


out = {}
kfp.compiler.Compiler().compile(hello, f"{work}/hello.yaml")
kfp.compiler.Compiler().compile(forever, f"{work}/forever.yaml")
kfp.compiler.Compiler().compile(broken_pipeline, f"{work}/broken.yaml")
client = kfp.Client(host=url, existing_token=token, ssl_ca_cert=ca)
p = client.upload_pipeline(f"{work}/hello.yaml", pipeline_name="hello")
out["pipeline_id"] = p.pipeline_id
out["found_pipeline_id"] = client.get_pipeline_id("hello")
v = client.upload_pipeline_version(f"{work}/hello.yaml", pipeline_version_name="hello-v2", pipeline_id=p.pipeline_id)
out["versions"] = sorted(x.display_name for x in client.list_pipeline_versions(p.pipeline_id).pipeline_versions)
exp = client.create_experiment("client-check")
out["experiment_found"] = client.get_experiment(experiment_name="client-check").experiment_id == exp.experiment_id
run = client.run_pipeline(exp.experiment_id, "hello-run", params={"text": "from the client"}, pipeline_id=p.pipeline_id, version_id=v.pipeline_version_id)
done = client.wait_for_run_completion(run.run_id, timeout=60, sleep_duration=1)
out["hello_state"] = done.state
out["hello_run_id"] = run.run_id
inline = client.create_run_from_pipeline_package(f"{work}/hello.yaml", arguments={"text": "inline"}, experiment_name="client-check")
out["inline_state"] = client.wait_for_run_completion(inline.run_id, timeout=60, sleep_duration=1).state
out["inline_run_id"] = inline.run_id
bad = client.create_run_from_pipeline_package(f"{work}/broken.yaml", experiment_name="client-check")
failed = client.wait_for_run_completion(bad.run_id, timeout=60, sleep_duration=1)
out["broken_state"] = failed.state
out["broken_error"] = failed.error.message if failed.error else None
long = client.create_run_from_pipeline_package(f"{work}/forever.yaml", experiment_name="client-check")
# Terminated once its container runs; wait_for_run_completion does not count CANCELED as an end.
out["long_running_state"] = wait_state(long.run_id, {"RUNNING"})
client.terminate_run(long.run_id)
out["terminated_state"] = wait_state(long.run_id, {"CANCELED", "FAILED", "SUCCEEDED"})
print(json.dumps(out))
