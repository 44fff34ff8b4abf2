"""Tests of the pure domain (bot/roadmap, i18n, schedules, the engines' pure parts): no database, no server and
no Slack."""
