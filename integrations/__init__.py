"""Integrations: API tokens, the write API, signed webhooks and outside bots (issue 17).

Its own app because it is a door into the helpdesk for other systems rather than a part of the
conversation domain: it only calls ``chat.services`` and ``chat.selectors``, listens to one
signal of ``chat`` (``chat.signals.changed``) to write its outbox, and chat never imports it.
"""
