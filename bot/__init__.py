"""The bot: the built-in first responder's decision core, its optional language model, its evaluation.

Its own app because deciding is a job apart from both storing articles (``knowledge``, which it
reads through one retrieval interface) and carrying conversations (``chat``, which it must not
slow down): given a question it returns an answer or a handoff with a reason, and nothing else.
It has no tables; wiring it into live conversations (ownership, handoff to the queue, the
widget's buttons) belongs to whoever runs it, in a worker, never on the socket's event loop.
"""
