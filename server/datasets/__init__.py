"""Datasets for labs: snapshots, exports, dataset cards, download log and royalties."""
