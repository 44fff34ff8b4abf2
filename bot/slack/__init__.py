"""Slack surface: Block Kit rendering (``blocks``, ``modal``) and the ids listeners match on (``ids``).

Rendering is pure: domain objects in, ``slack_sdk.models`` blocks and views out; no Web API calls here.
"""
