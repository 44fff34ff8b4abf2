"""Block Kit for every message and view the bot shows, as pure functions of domain data, one module per surface:
``parent`` (the message that starts a roadmap's thread), ``summary``, ``stage`` and ``items`` (the roadmap in its
thread), ``thread`` (answers, status notes, versions), ``nudge`` (the weekly check-in and the closing message),
``notices`` (what went wrong, and what to do), ``lists`` (help and `/scale-review list`) and ``home`` (the App Home
tab); ``kit`` and ``packing`` are what they share. The questionnaire and settings modals are in bot/slack/modal/,
the values buttons carry in bot/slack/values.py.

Everything is built with ``slack_sdk.models`` so a broken limit fails here (in tests) rather than as an
``invalid_blocks`` in front of a user. Long content is split across sections and messages, never cut: Slack rejects
messages far below its documented limits (shared/PRODUCT.md), so each message keeps to the budgets in ``kit``.

Conventions a listener relies on:

- An item's buttons live in one actions block whose ``block_id`` is ``item:<id>`` (``ids.ITEM_BLOCK_PREFIX``).
- Status buttons use ``action_id = "item_status:<new status>"`` (unique within the block, as Slack requires; match
  them with ``ids.ACTION_ITEM_STATUS_PATTERN``); the overflow uses ``ids.ACTION_ITEM_MENU``; "Details" uses
  ``ids.ACTION_ITEM_DETAILS``. Values are written by ``bot.slack.values`` (compact JSON, e.g.
  ``{"v": version_id, "i": item_id, "s": new, "f": shown}``) and read back there.
- Where a stage is split, the split depends on the roadmap only, never on statuses, so re-rendering a stage after a
  status change yields the same parts with the same items: update part N with part N.

This package re-exports what the publisher, the listeners and the tests call, so they need not know which module
renders which surface.
"""

from bot.slack.render.home import home_view
from bot.slack.render.items import item_details_view, item_id_from_block_id, status_action_id
from bot.slack.render.kit import FALLBACK_MAX, SlackMessage, escape_mrkdwn, shorten, split_text, status_label
from bot.slack.render.lists import help_message, list_message
from bot.slack.render.notices import notice_message
from bot.slack.render.nudge import completion_message, day_label, nudge_message
from bot.slack.render.parent import parent_message
from bot.slack.render.stage import continued_above, roadmap_messages, stage_layout, stage_messages
from bot.slack.render.summary import summary_message
from bot.slack.render.thread import discussion_replies, mention_reply, status_note, thread_help, versions_message

__all__ = [
    "FALLBACK_MAX",
    "SlackMessage",
    "completion_message",
    "continued_above",
    "day_label",
    "discussion_replies",
    "escape_mrkdwn",
    "help_message",
    "home_view",
    "item_details_view",
    "item_id_from_block_id",
    "list_message",
    "mention_reply",
    "notice_message",
    "nudge_message",
    "parent_message",
    "roadmap_messages",
    "shorten",
    "split_text",
    "stage_layout",
    "stage_messages",
    "status_action_id",
    "status_label",
    "status_note",
    "summary_message",
    "thread_help",
    "versions_message",
]
