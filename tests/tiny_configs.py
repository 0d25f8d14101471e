"""Model sizes the tests share (importable from any test module: ``tests/`` is on sys.path
because ``tests/conftest.py`` lives there)."""

# A Gene-MOE small enough to pre-train and fine-tune in about a second on one thread.
TINY_GENEMOE = {"hidden": 32, "n_experts": 4, "k": 2, "moae_experts": 2, "moae_k": 1,
                "n_tokens": 4, "n_heads": 2, "latent": 8, "dropout": 0.1, "attn_dropout": 0.0}

# An ablation preset around TINY_GENEMOE: one pre-training epoch with a one-layer critic.
# Its dropout is the small preset's fcn and moe dropout (0.5): the arms share one recipe
# (TINY_GENEMOE's 0.1 beside their 0.5 was the confound the ablation warns on).
TINY_ABLATION_PRESET = {
    "extends": "small", "model": {"genemoe": {**TINY_GENEMOE, "dropout": 0.5}},
    "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1, "critic_widths": [8]},
    "train": {"batch_size": 32}}
