"""The knowledge base: articles, the public help centre, and retrieval over them.

Its own app because it is a room of its own: articles have their own life (drafts, translations,
feedback counts, import and export) apart from any conversation, the help centre is a public site,
and retrieval (sentence embeddings, keyword ranking, an in-process index) is heavy machinery that
the chat domain must not load. It reads the conversation domain only to turn an answer into a
draft; ``chat`` never imports it. The bot (the ``bot`` app) answers from it.
"""
