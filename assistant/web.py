"""The Gradio chat. It calls the answering and ingest services only, never the store directly.

The chat function is also exposed over HTTP as `/chat`: `Client(url).predict(question, api_name="/chat")`
returns the same answer as `assistant ask`, as text with its numbered citations.
"""

from __future__ import annotations

import signal
import sys
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import gradio as gr

from assistant import remote
from assistant.annotate import annotate
from assistant.articles import SUPPORTED_NAMES
from assistant.answer import Assistant, QuestionError
from assistant.conversation import Conversation
from assistant.ingest import ingest
from assistant.render import answer_as_html, answer_as_text, article_as_html, inert, inert_lines
from assistant.feedback import record_feedback
from assistant.uploads import add_uploads
from assistant.settings import Settings, SettingsError
from assistant.store import StoreError

LLM_MODE = "The LLM, checked against the passages"
EXTRACTIVE_MODE = "Quotes from the articles"
EXAMPLES = [
    "What are the articles about?",  # whatever the folder: each article's lede
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
.hidden-control { display: none !important; }
#viewer .article-body { max-height: 640px; overflow-y: auto; white-space: pre-wrap; margin-top: .5em; }
"""
# Citation markers live inside chat messages, where Gradio allows no event handlers: one listener on the
# page keeps a clicked marker's article and span and clicks the hidden button that opens the viewer, whose
# `OPEN_CITED` hands them to the server. (Typed into a hidden textbox instead, the button now and then sent
# the box's previous value, before Gradio had taken in the new one, and the viewer stayed empty.) The
# listener is a script in the page's head, installed as the page is read, not by Gradio's `js` once the app
# has mounted; `assistantListening` lets a test tell a listener never installed from a click never delivered.
HEAD = """<script>
if (!window.assistantListening) {
  window.assistantListening = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.cite");
    if (!link) return;
    event.preventDefault();
    window.assistantCited = link.getAttribute("href").replace(/^#cite\\//, "");
    document.querySelector("#cite-open").click();
  }, true);
}
</script>"""
OPEN_CITED = "(target) => window.assistantCited ?? target"
SCROLL_TO_SPAN = "() => document.querySelector('#viewer mark')?.scrollIntoView({block: 'center'})"
VIEWER_HINT = "<i>Click a citation marker such as [1] to read its article here, at the cited passage.</i>"


def build_app(assistant: Assistant) -> gr.Blocks:
    llm_on = bool(assistant.settings.llm_url)

    def chat(question: str) -> str:
        """Answer one question from the articles; the text ends with the numbered cited passages. With an
        LLM configured (ASSISTANT_LLM_URL), the LLM writes it and each sentence is checked."""
        try:
            return answer_as_text(Conversation(assistant).ask(question, written=llm_on))
        except (QuestionError, StoreError) as exc:
            return f"Can't answer: {exc}"

    def ask(question: str, day: str, articles: list[str], outlets: list[str]) -> dict:
        """One question answered as `assistant ask --json` prints it (`assistant ask` calls this when a
        server runs on its index): `day` YYYY-MM-DD or empty; `articles`/`outlets`: read only these."""
        try:
            within = assistant.scope(articles or (), outlets or ())
            return assistant.ask(question, date.fromisoformat(day) if day else None, within=within).to_dict()
        except (QuestionError, StoreError, ValueError) as exc:
            return {"error": str(exc)}

    def respond(question: str, history: list, conversation: Conversation | None, outlets: list, articles: list,
                mode: str):
        """Streams (chat, cleared box, conversation) updates; the conversation resolves follow-ups;
        `outlets`/`articles`: the filter, when set the only articles read; `mode`: who writes the answer."""
        conversation = conversation or Conversation(assistant)
        history = list(history or []) + [{"role": "user", "content": question}]
        yield history + [{"role": "assistant", "content": "Searching the articles…"}], "", conversation
        draft, answer = "", None
        try:
            within = assistant.scope(articles or [], outlets or [])
            for piece in conversation.stream(question, within, written=llm_on and mode == LLM_MODE):
                if isinstance(piece, str):  # the LLM's words as they come, unchecked until the reply is whole
                    draft += piece
                    yield history + [{"role": "assistant", "content": f"<i>Writing…</i> {inert_lines(draft)}"}], "", conversation
                else:
                    answer = piece
        except (QuestionError, StoreError) as exc:
            yield history + [{"role": "assistant", "content": inert(f"Can't answer: {exc}")}], "", conversation
            return
        lines = answer.answer.splitlines() if not draft else []
        for shown in range(1, len(lines) + 1):  # the answer line by line (escaped like the final one), then its sources
            yield history + [{"role": "assistant", "content": inert_lines("\n".join(lines[:shown]))}], "", conversation
        note = f"<sub>Read only {len(within)} selected article(s).</sub>\n" if within else ""
        yield history + [{"role": "assistant", "content": note + answer_as_html(answer)}], "", conversation

    def show_article(target: str) -> str:
        """The viewer: the article a clicked citation came from, its span marked."""
        try:
            doc_id, start, end = target.rsplit("/", 2)
            return article_as_html(assistant.article(unquote(doc_id)), int(start), int(end))
        except (QuestionError, StoreError, ValueError) as exc:
            return f"<i>Can't show that passage: {inert(str(exc))}</i>"

    def filters():
        catalogue = assistant.catalogue()
        outlets = sorted({e["source"] for e in catalogue if e["source"]}, key=str.lower)
        articles = [(_label(e), e["doc_id"]) for e in catalogue]
        return gr.update(choices=outlets), gr.update(choices=articles)

    def add(paths: list[str], progress=gr.Progress(track_tqdm=True)) -> str:
        """Ingest uploaded article files; one line per file that was skipped, and why."""
        paths = [Path(p) for p in paths or []]
        try:
            report = add_uploads(paths, [p.name for p in paths], assistant.settings, assistant.store, progress=True)
        except StoreError as exc:
            return inert(f"Can't add these articles: {exc}")
        lines = ([report.summary()] + [f"- {inert(note)}" for note in report.notices]
                 + [f"- {inert(r.source.rsplit('/', 1)[-1])}{f':{r.line}' if r.line else ''}: {inert(r.reason)}"
                    for r in report.rejected])
        return "\n".join(lines)

    def feedback(vote: gr.LikeData, history: list, conversation: Conversation | None) -> None:
        """Thumbs up/down on an answer, kept with the index for `assistant eval --feedback`."""
        question = _plain(next((m["content"] for m in reversed(history[: vote.index]) if m["role"] == "user"), ""))
        answers = conversation.answers if conversation else []
        answer = next((a for a in reversed(answers) if question in (a.question, a.resolved_from)), None)
        record_feedback(assistant.store, question, _plain(vote.value), vote.liked, answer)

    with gr.Blocks(title="News assistant") as app:
        gr.Markdown("## Ask the articles\nEvery statement is quoted from an article and cites it; "
                    "when the articles don't answer, the assistant says so.")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(height=560, label="Conversation", sanitize_html=True, render_markdown=True)
                box = gr.Textbox(placeholder="Ask a question about the articles…", show_label=False, autofocus=True)
                gr.Examples(EXAMPLES, inputs=box)
                mode = gr.Radio([LLM_MODE, EXTRACTIVE_MODE], value=LLM_MODE if llm_on else EXTRACTIVE_MODE,
                                visible=llm_on, label="Who writes the answer", elem_id="answer-mode")
                with gr.Accordion("Only some articles or outlets", open=False):
                    outlets = gr.Dropdown(multiselect=True, label="Outlets", elem_id="outlet-filter")
                    articles = gr.Dropdown(multiselect=True, label="Articles", elem_id="article-filter")
                with gr.Accordion("Add articles", open=False):
                    files = gr.File(file_count="multiple", type="filepath",
                                    label=f"Articles: {SUPPORTED_NAMES}")
                    added = gr.Markdown(elem_id="upload-report")
            with gr.Column(scale=2):
                viewer = gr.HTML(VIEWER_HINT, label="Article", elem_id="viewer")
                target = gr.Textbox(elem_id="cite-target", elem_classes="hidden-control", show_label=False)
                open_target = gr.Button("Open", elem_id="cite-open", elem_classes="hidden-control")
        conversation = gr.State(None)
        box.submit(respond, [box, chatbot, conversation, outlets, articles, mode], [chatbot, box, conversation],
                   api_visibility="private")
        open_target.click(show_article, target, viewer, js=OPEN_CITED, api_visibility="private").then(
            None, js=SCROLL_TO_SPAN)
        app.load(filters, None, [outlets, articles], api_visibility="private")
        files.upload(add, files, added, api_name="add").then(filters, None, [outlets, articles],
                                                              api_visibility="private")
        chatbot.like(feedback, [chatbot, conversation], None, api_visibility="private")
        gr.api(chat, api_name="chat")
        gr.api(ask, api_name="ask")
    return app


def _label(entry: dict) -> str:
    label = " · ".join(x for x in (entry["title"], entry["source"], entry["published_at"]) if x)
    return label if len(label) <= 100 else label[:99] + "…"


def _plain(value) -> str:
    """A chat message's text, whatever shape Gradio hands it in (a string, {"text": …}, a list of parts)."""
    if isinstance(value, dict):
        value = next((value[k] for k in ("text", "value", "content") if k in value), "")
    if isinstance(value, list):
        value = " ".join(_plain(v) for v in value)
    return str(value)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Answers computed at once; more wait in Gradio's queue (answering is CPU-bound: more would only contend).
CONCURRENT_ANSWERS = 4


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
    if assistant.store.is_empty():
        print(f"The index at {assistant.store.location} is empty: ingesting {settings.seeds_dir} first.", file=sys.stderr)
        print(ingest([settings.seeds_dir], settings, store=assistant.store).summary(), file=sys.stderr)
        print(annotate(settings, assistant.store).summary(), file=sys.stderr)
    else:
        articles, annotated = len(assistant.store.hashes()), len(assistant.store.annotated())
        if annotated < articles:  # ingested from the command line: answers tag their sentences as they read
            print(f"{articles - annotated} of the {articles} articles aren't annotated yet; answers are faster "
                  f"once they are: assistant annotate --index {settings.index_dir}", file=sys.stderr)
    app = launch(build_app(assistant), settings.host, settings.port, auth=logins or None, block=False, quiet=False)
    # `assistant ask` on this index asks this process instead of loading everything itself.
    remote.record(settings, app.local_url, login=bool(logins))
    # Stopped by a signal (`kill`, a service manager), it still takes its record with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        app.block_thread()
    finally:
        remote.forget(settings)


def launch(app: gr.Blocks, host: str, port: int | None, auth=None, block: bool = True,
           quiet: bool | None = None) -> gr.Blocks:
    """Serve the chat; `block=False` returns once it listens (at `app.local_url`); quiet (no URL printed)
    by default then, as `assistant bench` wants."""
    app.queue(default_concurrency_limit=CONCURRENT_ANSWERS).launch(
        server_name=host, server_port=port, auth=auth, show_error=False, css=CSS, head=HEAD, footer_links=[],
        prevent_thread_lock=not block, quiet=not block if quiet is None else quiet)
    return app
