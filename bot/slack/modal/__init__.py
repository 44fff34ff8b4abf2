"""The bot's modals: the questionnaire (its inputs in ``fields``, built in ``questionnaire``, read in ``reading``,
errors placed by ``errors``) and the weekly nudge settings (``nudge_settings``). Import from the defining module."""
