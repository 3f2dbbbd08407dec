"""Gold items: reference comparisons with known answers that measure each rater's accuracy."""
