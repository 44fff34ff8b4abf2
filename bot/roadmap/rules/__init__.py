"""The rules engine: stages planned on the capacity model, items and verdict written from them."""
