#!/usr/bin/env bash
# GuideLLM's synthetic data needs a Hugging Face tokenizer to hit exact prompt/output token
# counts, and its default (the served model's name) is a Hub download, impossible offline. The
# executor passes this local character-level tokenizer instead: built once, inside the env.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
"$1/bin/python" "$root/python/tools/make_tokenizer.py" "$1/evalhub-tokenizer" >/dev/null
test -f "$1/evalhub-tokenizer/tokenizer.json"
