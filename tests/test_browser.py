"""The chat in a real browser: Debian's Chromium driven by Playwright, against the real served app."""

import pytest

from conftest import CLINTON_ADVISORS, ROOT, copy_seeds, run_cli, served

CHROMIUM = "/usr/bin/chromium"
DOCS = ROOT / "docs"
HOSTILE = ("Lanterns of Marrow Bay\n\nThe harbour festival in Marrow Bay drew record crowds this year, "
           "organisers said. <script>alert(1)</script> The lantern parade <img src=x onerror=alert(2)> "
           "ended at the old lighthouse after midnight.\n")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = copy_seeds(tmp_path_factory.mktemp("articles"))
    (folder / "marrow-bay.txt").write_text(HOSTILE, encoding="utf-8")
    index = tmp_path_factory.mktemp("browser-index")
    run_cli("ingest", str(folder), "--index", str(index))
    return index


@pytest.fixture(scope="module")
def chat_url(index):
    with served(index) as (url, _):
        yield url


@pytest.fixture
def page(chat_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.dialogs, page.errors = [], []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(chat_url)
        yield page
        browser.close()


def ask(page, question: str) -> None:
    """Ask, and wait for this question's finished answer (the chat shows one more answer or abstention)."""
    finished = ".message-wrap div.answer, .message-wrap div.abstained"
    before = page.locator(finished).count()
    box = page.get_by_placeholder("Ask a question about the articles…")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"document.querySelectorAll({finished!r}).length > {before}", timeout=120_000)


def test_clinton_advisors_shows_both_articles_with_highlighted_spans(page):
    ask(page, CLINTON_ADVISORS)
    table = page.locator("table.by-article")
    table.wait_for(timeout=60_000)
    assert table.locator("tr").count() == 3  # header + one row per article
    details = page.locator(".message-wrap details")
    assert details.count() >= 2
    for i in range(details.count()):
        details.nth(i).locator("summary").click()
    marks = page.locator(".message-wrap details mark")
    assert marks.count() >= 2 and all(marks.nth(i).is_visible() for i in range(marks.count()))
    assert "Peskov" in page.locator(".message-wrap .voice").first.inner_text()
    DOCS.mkdir(exist_ok=True)
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(DOCS / "chat-clinton-advisors.png"), full_page=True)


def test_article_markup_is_shown_as_text_and_never_runs(page):
    ask(page, "Where did the lantern parade in Marrow Bay end?")
    summary = page.locator(".message-wrap details summary").first
    summary.click()
    quoted = page.locator(".message-wrap details blockquote").first.inner_text()
    assert "<img src=x onerror=alert(2)>" in quoted or "<script>alert(1)</script>" in quoted
    assert page.locator(".message-wrap img[src='x']").count() == 0
    assert page.locator(".message-wrap script").count() == 0
    page.wait_for_timeout(1000)
    assert page.dialogs == [] and page.errors == []
    page.screenshot(path=str(DOCS / "chat-markup-inert.png"), full_page=True)


def test_abstention_looks_different_from_an_answer(page):
    ask(page, "What is the capital of Australia?")
    abstained = page.locator(".message-wrap .abstained")
    abstained.wait_for(timeout=60_000)
    assert "don't answer" in abstained.inner_text()
    assert abstained.evaluate("e => getComputedStyle(e).fontStyle") == "italic"


def test_thumbs_up_and_down_are_kept_for_evaluation(page, index):
    import json

    ask(page, "Who interviewed Peskov on CNN?")
    page.locator(".message-wrap button[aria-label='Like']").last.click()
    ask(page, "What is the capital of Australia?")
    page.locator(".message-wrap button[aria-label='Dislike']").last.click()
    path = index / "feedback.jsonl"
    page.wait_for_timeout(1500)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["question"], r["liked"]) for r in rows] == [("Who interviewed Peskov on CNN?", True),
                                                           ("What is the capital of Australia?", False)]
    assert "Zakaria" in rows[0]["answer"]
