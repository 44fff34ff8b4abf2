"""Architecture facts read from the free-text answers (English and Korean).

The questionnaire keeps the case study's free-text fields, so the engine needs a small, explicit
reader: which components the team already runs (and which they say they lack), how many app
servers, read replicas and standbys, the database engine, runtime, provider, instance sizes and
region, which tier the symptoms point at, any utilisation figure quoted ("DB CPU 95%") and any
registered or daily user count (never taken for concurrent users).

Each answer is cut to MAX_READ_CHARS (`answers`), split into tokens in one linear pass (`tokens`),
and read by walking the tokens with windows of a fixed size; the few regular expressions left run on
one token or on a bounded window, so no text can make the reader slow (docs/reading-answers.md).
Each reading keeps the phrase it came from ("app servers: 4 (from '4 Python (Django) servers')")
so a user can correct it.

Start at `reader.extract_facts`: it runs each step (`components`, `counts`, `stack`, `hosting`,
`sizes`, `prices`, `users`, `utilisation`) over the answers and returns `facts.ArchitectureFacts`.
"""
