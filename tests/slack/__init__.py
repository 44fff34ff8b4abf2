"""The fake-Slack flows: real slack_sdk and slack-bolt against the fake Slack (and OpenAI) servers in tests/fakes,
from the request boundary to the messages posted in the thread."""
