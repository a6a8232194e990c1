"""Every byte budget of the server in one place: what the class's shared caches may hold.

A teacher's laptop runs the whole class, so each cache is bounded in bytes, not in entries: one
word2vec run on a large upload can weigh more than a hundred small models. What the teacher's
default scenes need is pinned (warm-up) and never evicted; it is counted here too.
"""

import os

MIB = 1024 * 1024

BUDGETS = {
    "trainings": 1536 * MIB,  # trained models and their records (ui.train)
    "scenes": 256 * MIB,  # charts and per-input results built from them (ui.cache.shared)
    "vectors": 1024 * MIB,  # word vectors: uploads, word2vec runs, files from the allowed folder
}
# A teacher with a smaller laptop (or a test) can shrink one: RNNLAB_BUDGET_TRAININGS_MB=512.
for _name in BUDGETS:
    _mb = os.environ.get(f"RNNLAB_BUDGET_{_name.upper()}_MB")
    if _mb:
        BUDGETS[_name] = int(float(_mb) * MIB)

# The largest upload any page accepts (a word-vector file); = server.maxUploadSize in config.toml.
MAX_UPLOAD_MB = 20
