"""Liftledger's reward-model library: feedback rows to pairs, trl training, evaluation, scoring.

A pure library (no Flask, no server imports). `data` and `sources` need only the standard
library, so the server can build pairs without importing torch; `backbones`, `train`,
`evaluate` and `score` load torch and transformers when imported.
Models are never downloaded: importing the package turns the Hugging Face hubs offline
(unless the caller set these variables), before transformers reads them.
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
