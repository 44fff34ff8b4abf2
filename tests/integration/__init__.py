"""Tests of the adapters against real services: storage on SQLite and PostgreSQL, the engines and their process
pool, the job queue, the CLI and server processes."""
