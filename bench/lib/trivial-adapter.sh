#!/bin/sh
# The benches' trivial adapter, for EvalHub and upstream alike (both run a provider's local
# command through sh with EVALHUB_JOB_SPEC_PATH set): it stamps its start, reports running, then
# completed with one metric, and tells the bench (parameters.stamp_url) when each step happened
# and where its events go. With parameters.hold it stays running after the first event instead
# (the API bench then posts progress events to its job). sh, curl and jq start in milliseconds,
# so the figures are the servers', not the adapter's.
t_start=$(date +%s%3N)
eval "$(jq -r '@sh "id=\(.id) cb=\(.callback_url) pid=\(.provider_id) bid=\(.benchmark_id) idx=\(.benchmark_index) stamp=\(.parameters.stamp_url) hold=\(.parameters.hold // false)"' "$EVALHUB_JOB_SPEC_PATH")"
events="${cb%/}/api/v1/evaluations/jobs/$id/events"
post() {
  curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' \
    -d "{\"benchmark_status_event\":{\"provider_id\":\"$pid\",\"id\":\"$bid\",\"benchmark_index\":$idx,$1}}" "$events"
}
stamp() {
  curl -s -o /dev/null -X POST -H 'content-type: application/json' \
    -d "{\"job\":\"$id\",\"events_url\":\"$events\",\"provider_id\":\"$pid\",\"benchmark_id\":\"$bid\",\"start\":$t_start,\"first_event\":$t_first_event$1}" "$stamp"
}
code_running=$(post '"status":"running","phase":"running_evaluation"')
t_first_event=$(date +%s%3N)
if [ "$hold" = "true" ]; then
  stamp ",\"codes\":[$code_running]"
  # Until it is stopped, or its server is gone.
  while kill -0 "$PPID" 2>/dev/null; do sleep 1; done
  exit 0
fi
code_done=$(post "\"status\":\"completed\",\"metrics\":{\"accuracy\":0.75},\"completed_at\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"")
stamp ",\"done\":$(date +%s%3N),\"codes\":[$code_running,$code_done]"
