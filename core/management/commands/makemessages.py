from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages without fuzzy guesses: a new string stays untranslated (and the
    catalog test fails) instead of silently borrowing a similar string's translation."""

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
