"""The pages a person sees at the end of installing the app, in their browser's language (Korean or English).

Bolt's own pages are English only and say little about why an installation failed; these name the reason a
person can act on (a used or expired link, another browser, a cancelled consent) and link back to the start.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from slack_bolt.oauth.async_callback_options import AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.i18n import N_, Language, language, t

# Why Slack's redirect was refused, by Bolt's reason code (slack_bolt.oauth.async_oauth_flow.handle_callback).
REASONS: dict[str, str] = {
    "invalid_state": N_(
        "This installation link was already used or has expired, so it cannot be used again. "
        "Start the installation again."
    ),
    "invalid_browser": N_(
        "The installation finished in a different browser from the one it started in (or its cookie expired). "
        "Start the installation again in one browser."
    ),
    "access_denied": N_("The installation was cancelled on Slack's page, so nothing was installed."),
    "missing_code": N_("Slack's answer had no authorization code. Start the installation again."),
    "invalid_code": N_(
        "Slack did not accept the authorization code (it may have been used already). Start the installation again."
    ),
    "storage_error": N_("The installation could not be saved. Please try again in a minute."),
}
OTHER_REASON = N_("Slack did not complete the installation ({reason}). Start the installation again.")


def page_language(request: AsyncBoltRequest) -> Language:
    """The first of our languages the browser asks for (Accept-Language), else English."""
    header = request.headers.get("accept-language", [""])
    for part in (header[0] if header else "").split(","):
        found = language(part.split(";", 1)[0])
        if found is not None:
            return found
    return "en"


def _page(lang: Language, title: str, body: str, *, status: int, clear_cookie: str) -> BoltResponse:
    content = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; padding: 0 1em">'
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    headers: dict[str, str | Sequence[str]] = {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": clear_cookie}
    return BoltResponse(status=status, body=content, headers=headers)


async def success(args: AsyncSuccessArgs) -> BoltResponse:
    lang = page_language(args.request)
    installation = args.installation
    installed = t(lang, "scale-review is installed in {team}.", team=installation.team_name or installation.team_id)
    start = t(lang, "Type /scale-review in a channel to start a review.")
    open_slack = t(lang, "Open Slack")
    link = f"slack://app?team={installation.team_id}&id={installation.app_id}"
    body = (
        f"<p>{html.escape(installed)}</p><p>{html.escape(start)}</p>"
        f'<p><a href="{html.escape(link, quote=True)}">{html.escape(open_slack)}</a></p>'
    )
    clear = args.settings.state_utils.build_set_cookie_for_deletion()
    return _page(lang, t(lang, "Installed"), body, status=200, clear_cookie=clear)


async def failure(args: AsyncFailureArgs) -> BoltResponse:
    lang = page_language(args.request)
    reason = args.reason if args.reason in REASONS else None
    text = t(lang, REASONS[reason]) if reason else t(lang, OTHER_REASON, reason=args.reason[:60])
    again = t(lang, "Install again")
    body = (
        f"<p>{html.escape(text)}</p>"
        f'<p><a href="{html.escape(args.settings.install_path, quote=True)}">{html.escape(again)}</a></p>'
    )
    clear = args.settings.state_utils.build_set_cookie_for_deletion()
    return _page(lang, t(lang, "Not installed"), body, status=args.suggested_status_code, clear_cookie=clear)
