#!/usr/bin/env python3
"""Build a tiny offline character-level tokenizer folder: python make_tokenizer.py OUT_DIR

Why: GuideLLM's synthetic_text data needs a HuggingFace tokenizer (AutoTokenizer.from_pretrained)
to hit exact prompt/output token counts. Its default is the backend model name, i.e. a Hub
download, which is impossible offline (HF_HUB_OFFLINE=1). A WordLevel vocabulary over single
characters is enough: it round-trips Faker text and makes "N tokens" mean "N characters", which
matches the fake model server's one-chunk-per-character streaming.

Usage afterwards: guidellm run ... --tokenizer kind=huggingface_auto,model=OUT_DIR
Needs only `tokenizers` and `transformers` (both in the guidellm env); writes nothing else.
"""
import string
import sys

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

SPECIALS = ["<s>", "</s>", "<unk>"]


def build(out_dir: str) -> None:
    chars = string.ascii_letters + string.digits + string.punctuation + " \t\n"
    # Latin-1 letters as well, so Faker output with accents stays lossless.
    chars += "".join(chr(c) for c in range(0xC0, 0x100))
    vocab = {tok: i for i, tok in enumerate(SPECIALS)}
    for ch in chars:
        vocab.setdefault(ch, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    # Every character is its own pre-token ("isolated" keeps spaces as tokens too).
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tok.decoder = decoders.Fuse()  # join the characters back without separators
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="</s>",
        model_max_length=1_000_000,
    )
    fast.save_pretrained(out_dir)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_tokenizer.py OUT_DIR")
    build(sys.argv[1])
    print(f"tokenizer written to {sys.argv[1]}")
