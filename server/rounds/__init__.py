"""Training rounds: preferences derived from feedback, reward-model training, lift values."""
