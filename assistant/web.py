"""The Gradio chat. It calls the answering and ingest services only, never the store directly.

The chat function is also exposed over HTTP as `/chat`: `Client(url).predict(question, api_name="/chat")`
returns the same answer as `assistant ask`, as text with its numbered citations.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import gradio as gr

from assistant.answer import Assistant, QuestionError
from assistant.conversation import Conversation
from assistant.ingest import ingest
from assistant.render import answer_as_html, answer_as_text
from assistant.feedback import record_feedback
from assistant.uploads import add_uploads
from assistant.settings import Settings, SettingsError

EXAMPLES = [
    "What did Peskov claim about Clinton's advisors?",
    "Who interviewed Peskov on CNN?",
    "Why did Putin prefer Trump, according to Peskov?",
]
CSS = """
mark { background: #ffe58a; color: inherit; padding: 0 .1em; }
.abstained { font-style: italic; opacity: .85; }
details { margin: .3em 0; }
blockquote { margin: .3em 0 .3em .5em; }
table.by-article td, table.by-article th { font-weight: normal; font-size: .95em; vertical-align: top; }
table.by-article td:first-child { width: 30%; font-style: italic; }
.voice { font-size: .85em; opacity: .8; }
"""


def build_app(assistant: Assistant) -> gr.Blocks:
    def chat(question: str) -> str:
        """Answer one question from the articles; the text ends with the numbered cited passages."""
        try:
            return answer_as_text(assistant.ask(question))
        except QuestionError as exc:
            return f"Can't answer: {exc}"

    def respond(question: str, history: list, conversation: Conversation | None):
        """Streams (chat, cleared box, conversation) updates; the conversation resolves follow-ups."""
        conversation = conversation or Conversation(assistant)
        history = list(history or []) + [{"role": "user", "content": question}]
        yield history + [{"role": "assistant", "content": "Searching the articles…"}], "", conversation
        try:
            answer = conversation.ask(question)
        except QuestionError as exc:
            yield history + [{"role": "assistant", "content": f"Can't answer: {exc}"}], "", conversation
            return
        shown = ""
        for line in answer.answer.splitlines():  # the answer first, line by line, then its sources
            shown += line + "\n"
            yield history + [{"role": "assistant", "content": shown}], "", conversation
        yield history + [{"role": "assistant", "content": answer_as_html(answer)}], "", conversation

    def add(paths: list[str], progress=gr.Progress(track_tqdm=True)) -> str:
        """Ingest uploaded article files; one line per file that was skipped, and why."""
        paths = [Path(p) for p in paths or []]
        report = add_uploads(paths, [p.name for p in paths], assistant.settings, assistant.store, progress=True)
        lines = [report.summary()] + [f"- {r.source.rsplit('/', 1)[-1]}: {r.reason}" for r in report.rejected]
        return "\n".join(html.escape(line) for line in lines)

    def feedback(vote: gr.LikeData, history: list) -> None:
        """Thumbs up/down on an answer, appended to the index's feedback.jsonl for `assistant eval`."""
        question = next((m["content"] for m in reversed(history[: vote.index]) if m["role"] == "user"), "")
        record_feedback(assistant.settings, _plain(question), _plain(vote.value), vote.liked)

    with gr.Blocks(title="News assistant") as app:
        gr.Markdown("## Ask the articles\nEvery statement is quoted from an article and cites it; "
                    "when the articles don't answer, the assistant says so.")
        chatbot = gr.Chatbot(height=560, label="Conversation", sanitize_html=True, render_markdown=True)
        box = gr.Textbox(placeholder="Ask a question about the articles…", show_label=False, autofocus=True)
        gr.Examples(EXAMPLES, inputs=box)
        conversation = gr.State(None)
        box.submit(respond, [box, chatbot, conversation], [chatbot, box, conversation], api_visibility="private")
        with gr.Accordion("Add articles", open=False):
            files = gr.File(file_count="multiple", type="filepath", label="Articles: .txt .md .html .json .jsonl .csv (.gz)")
            added = gr.Markdown()
        files.upload(add, files, added, api_name="add")
        chatbot.like(feedback, chatbot, None, api_visibility="private")
        gr.api(chat, api_name="chat")
    return app


def _plain(value) -> str:
    """A chat message's text, whatever shape Gradio hands it in (a string, {"text": …}, a list of parts)."""
    if isinstance(value, dict):
        value = next((value[k] for k in ("text", "value", "content") if k in value), "")
    if isinstance(value, list):
        value = " ".join(_plain(v) for v in value)
    return str(value)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def credentials(settings: Settings) -> list[tuple[str, str]]:
    """(user, password) pairs from ASSISTANT_LOGIN and the lines of ASSISTANT_LOGIN_FILE."""
    lines = [settings.login] if settings.login else []
    if settings.login_file:
        try:
            lines += Path(settings.login_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise SettingsError(f"can't read the login file {settings.login_file} ({exc.strerror}); "
                                "check ASSISTANT_LOGIN_FILE") from None
    pairs = [tuple(line.strip().split(":", 1)) for line in lines if line.strip()]
    if any(len(p) != 2 or not all(p) for p in pairs):
        raise SettingsError("a login must read user:password (ASSISTANT_LOGIN, or one a line in ASSISTANT_LOGIN_FILE)")
    return pairs


def serve(settings: Settings, no_login: bool = False) -> None:
    """`no_login`: listen beyond this machine without a login, because the user said so."""
    logins = credentials(settings)
    if settings.host not in LOOPBACK and not logins and not no_login:
        raise SettingsError(f"serving on {settings.host} lets other machines in: set ASSISTANT_LOGIN=user:password "
                            "or ASSISTANT_LOGIN_FILE=path, or pass --no-login to serve without one")
    assistant = Assistant(settings)
    if assistant.store.counts()["articles"] == 0:
        print(f"The index at {assistant.store.location} is empty: ingesting {settings.seeds_dir} first.", file=sys.stderr)
        print(ingest([settings.seeds_dir], settings, store=assistant.store).summary(), file=sys.stderr)
    app = build_app(assistant)
    app.queue(default_concurrency_limit=4).launch(server_name=settings.host, server_port=settings.port,
                                                  auth=logins or None, show_error=False, css=CSS, footer_links=[])
