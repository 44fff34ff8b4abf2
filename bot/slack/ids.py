"""Identifiers shared by the Block Kit builders and the listeners that receive their payloads."""

from __future__ import annotations

import re

COMMAND = "/scale-review"

# The questionnaire modal
QUESTIONNAIRE_CALLBACK = "scale_review_questionnaire"
ITEM_DETAILS_CALLBACK = "scale_review_item_details"

# Interactive elements (action_id)
ACTION_ITEM_STATUS = "item_status"  # value: {"v": version_id, "i": item_id, "s": new status, "f": status shown}
ACTION_ITEM_MENU = "item_menu"  # overflow: each option's value is the same JSON as ACTION_ITEM_STATUS
ACTION_ITEM_DETAILS = "item_details"  # value: {"v": version_id, "i": item_id}
ACTION_REPOST = "repost_roadmap"  # value: {"r": roadmap_id}
ACTION_RETRY = "retry_generation"  # value: {"r": roadmap_id}
ACTION_REGENERATE = "regenerate_with_ai"  # value: {"r": roadmap_id}; a new version from the AI engine
ACTION_OPEN_THREAD = "open_thread"  # a link button; acknowledged and otherwise ignored

# --- added with the Block Kit renderer (bot/slack/render/, bot/slack/modal/) -------------------------------------
# Slack wants action_ids unique within one block, and an item's actions block can hold two status buttons (Start and
# Done), so each status button's action_id is ACTION_ITEM_STATUS + ":" + the status it sets ("item_status:done").
# Listeners match them all with ACTION_ITEM_STATUS_PATTERN; the value JSON is the source of truth either way.
ACTION_ITEM_STATUS_PATTERN = re.compile(r"^item_status(?::[a-z_]+)?$")  # app.action(ACTION_ITEM_STATUS_PATTERN)

# Block ids in messages. An item's actions block is "item:<item id>" (e.g. "item:1.2"), unique within a message.
ITEM_BLOCK_PREFIX = "item:"

# The questionnaire's input blocks (block_id); every input element inside uses QUESTION_ACTION as its action_id.
QUESTION_ACTION = "answer"
Q_SYSTEM_NAME = "q_system_name"
Q_CURRENT_USERS = "q_current_users"
Q_TARGET_USERS = "q_target_users"
Q_CORE_FEATURES = "q_core_features"
Q_DATABASE = "q_database"
Q_SERVERS = "q_servers"
Q_NETWORK = "q_network"
Q_BOTTLENECKS = "q_bottlenecks"
Q_BUDGET_AMOUNT = "q_budget_amount"
Q_BUDGET_CURRENCY = "q_budget_currency"
Q_BUDGET_CONSTRAINTS = "q_budget_constraints"
Q_PEAK_RPS = "q_peak_rps"
Q_P95_LATENCY = "q_p95_latency_ms"
Q_ERROR_RATE = "q_error_rate_pct"
Q_CHANNEL = "q_channel"  # attach "I'm not in that channel" errors here

# --- weekly nudges ------------------------------------------------------------------------------------------------
NUDGE_SETTINGS_CALLBACK = "scale_review_nudge_settings"  # private_metadata: {"r": roadmap_id}
ACTION_NUDGE_SETTINGS = "nudge_settings"  # value: {"r": roadmap_id}; opens the settings modal
ACTION_NUDGE_SNOOZE = "nudge_snooze"  # value: {"r": roadmap_id}; skip the next nudge
ACTION_NUDGE_PAUSE = "nudge_pause"  # value: {"r": roadmap_id}
ACTION_NUDGE_RESUME = "nudge_resume"  # value: {"r": roadmap_id}
ACTION_EDIT_ANSWERS = "edit_answers"  # value: {"r": roadmap_id}; opens the questionnaire with its answers
ACTION_REVISE_PROFILE = "revise_profile"  # value: {"p": pending revision id}; applies a change read from the thread
ACTION_CANCEL_REVISION = "cancel_revision"  # value: {"p": pending revision id}; leaves the profile as it is
ACTION_EXPORT = "export_roadmap"  # value: {"r": roadmap_id}; uploads the roadmap's files into its thread
N_WEEKDAY = "n_weekday"  # settings modal block ids (each input's action_id is QUESTION_ACTION)
N_TIME = "n_time"
N_TIMEZONE = "n_timezone"
N_PAUSED = "n_paused"
