"""Workload-aware lever choice: what fits this system, what never to pick, and what the plan answers."""
