"""Pushes a folder as an evaluation artifact with the SDK's own OCI persister, the way an adapter
in a Kubernetes pod does: to the sidecar (oci_proxy_host), which owns the registry credentials.

usage: oci_push.py <sidecar host:port> <registry host> <repository> <folder> <job id>
Prints {"digest": ..., "reference": ...} as JSON.
"""
import json
import sys
from pathlib import Path

from evalhub.adapter.models.job import OCIArtifactSpec, OCICoordinates
from evalhub.adapter.oci.persister import OCIArtifactContext, OCIArtifactPersister

proxy, host, repository, folder, job_id = sys.argv[1:6]
persister = OCIArtifactPersister(
    OCIArtifactContext(job_id=job_id, benchmark_id="arc_easy", provider_id="lm_evaluation_harness"),
    oci_proxy_host=proxy,
)
result = persister.persist(
    OCIArtifactSpec(
        files_path=Path(folder),
        coordinates=OCICoordinates(oci_host=host, oci_repository=repository, annotations={"team": "evals"}),
    )
)
print(json.dumps({"digest": result.digest, "reference": result.reference}))
