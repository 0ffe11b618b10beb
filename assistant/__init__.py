"""A question-answering assistant over news articles: every statement cites the passage it came from."""

from assistant.settings import apply_offline_env

apply_offline_env()
