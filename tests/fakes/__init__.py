"""Test doubles that speak Slack's real protocols over real HTTP.

- ``slack_api.FakeSlack``: a local Web API server (contract- and Block Kit-checked).
- ``slack_requests``: signed requests shaped like the ones Slack sends to an app.
- ``slack_spec`` / ``blockkit``: the checks FakeSlack runs, usable on their own.
"""

from tests.fakes.slack_api import FakeSlack, RecordedCall

__all__ = ["FakeSlack", "RecordedCall"]
