"""The chat in a real browser: Debian's Chromium driven by Playwright, against the real served app."""

import pytest

from conftest import CLINTON_ADVISORS, ROOT, copy_seeds, run_cli, served

CHROMIUM = "/usr/bin/chromium"
DOCS = ROOT / "docs"
HOSTILE = ("Lanterns of Marrow Bay\n\nThe harbour festival in Marrow Bay drew record crowds this year, "
           "organisers said. <script>alert(1)</script> The lantern parade <img src=x onerror=alert(2)> "
           "ended at the old lighthouse after midnight.\n")
# A long article whose answer sits near its end: the viewer must scroll to it.
MINUTES = ("Minutes of the Glenmoor harbour council\n\n"
           + "".join(f"Item {i}: the council heard a routine report on mooring number {i} and noted it.\n\n"
                     for i in range(1, 160))
           + "Finally, the Glenmoor council approved a budget of 4.2 million crowns for the new ferry terminal.\n")


# An article (and its outlet) that would make a reader's browser fetch remote images, were it rendered as
# Markdown or HTML: the address is a reserved test network's, and the test intercepts every request anyway.
LEAK_HOST = "203.0.113.7"
LEAKY = {"id": "beacon-comet", "title": "Comet seen from Beacon Hill",
         "source": f"![outlet](http://{LEAK_HOST}/outlet.png)",
         "text": (f"Comet seen from Beacon Hill\n\nInes Varga shared ![comet](http://{LEAK_HOST}/a.png) on Friday. "
                  f"Varga also sent <img src=http://{LEAK_HOST}/b.png> to [us](http://{LEAK_HOST}/c). "
                  f"<iframe src=http://{LEAK_HOST}/d></iframe>\n")}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    import json

    folder = copy_seeds(tmp_path_factory.mktemp("articles"))
    (folder / "marrow-bay.txt").write_text(HOSTILE, encoding="utf-8")
    (folder / "glenmoor-minutes.txt").write_text(MINUTES, encoding="utf-8")
    (folder / "beacon.jsonl").write_text(json.dumps(LEAKY) + "\n", encoding="utf-8")
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
        page.dialogs, page.errors, page.console = [], [], []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda message: page.console.append(message.text))
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


def open_cited(page, link) -> None:
    """Click a citation marker and wait for its article in the viewer, span marked.

    The page's listener must be installed first. A click that never reaches it (the listener kept no
    target: seen in about one fresh CI run in ten, with the page otherwise idle and error-free) is made once
    more: the browser dropped it, and a reader would click again. A viewer still empty fails with what the
    page then held: the marker's target, what the listener kept, the viewer's text and whether its update is
    still pending, the page's errors and console."""
    page.wait_for_function("window.assistantListening === true", timeout=10_000)
    href = link.get_attribute("href")
    page.evaluate("() => { delete window.assistantCited; }")
    for _ in range(2):
        link.click()
        try:
            page.wait_for_function("window.assistantCited !== undefined", timeout=5_000)
            break
        except Exception:
            pass  # dropped: click again; a second drop fails below, with the page's state
    try:
        page.locator("#viewer mark").wait_for(timeout=30_000)
    except Exception as exc:
        state = page.evaluate("""() => ({kept: window.assistantCited ?? null,
            viewer: document.querySelector('#viewer')?.innerText.slice(0, 300) ?? null,
            pending: !!document.querySelector('#viewer [data-testid=status-tracker]:not(.hide)')})""")
        raise AssertionError(f"the viewer shows no marked span for {href!r}: {state}; errors {page.errors}; "
                             f"console {page.console[-10:]}") from exc


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
    voice = page.locator(".message-wrap .voice").first.inner_text()
    assert "Peskov" in voice or "Peksov" in voice  # one seed article misspells him; the label keeps its spelling
    DOCS.mkdir(exist_ok=True)
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(DOCS / "chat-clinton-advisors.png"), full_page=True)


def test_article_markup_is_shown_as_text_and_never_runs(page):
    ask(page, "Where did the lantern parade in Marrow Bay end?")
    # The Marrow Bay article's passage, wherever the reader ranks it among the articles quoted.
    marrow = page.locator(".message-wrap details", has_text="Lanterns of Marrow Bay").first
    marrow.locator("summary").click()
    quoted = marrow.locator("blockquote").first.inner_text()
    assert "<img src=x onerror=alert(2)>" in quoted or "<script>alert(1)</script>" in quoted
    assert page.locator(".message-wrap img[src='x']").count() == 0
    assert page.locator(".message-wrap script").count() == 0
    open_cited(page, page.locator(".message-wrap div.answer a.cite[href*='marrow-bay']").first)  # the article, in the viewer
    shown = page.locator("#viewer .article-body").inner_text()
    assert "<script>alert(1)</script>" in shown and "<img src=x onerror=alert(2)>" in shown
    assert page.locator("#viewer img, #viewer script").count() == 0
    page.wait_for_timeout(1000)
    assert page.dialogs == [] and page.errors == []
    assert not any("alert" in line for line in page.console)
    page.screenshot(path=str(DOCS / "chat-markup-inert.png"), full_page=True)


def test_no_request_leaves_for_an_address_taken_from_article_text(page):
    """Every request the page makes is recorded (and any to the article's host refused): while the answer
    streams, once it is final, in the viewer and in the outlet filter, none goes to an address from the article."""
    requested = []

    def record(route):
        requested.append(route.request.url)
        route.abort() if LEAK_HOST in route.request.url else route.continue_()

    page.route("**/*", record)
    ask(page, "What did Ines Varga share on Friday?")
    answer = page.locator(".message-wrap div.answer").last
    assert f"![comet](http://{LEAK_HOST}/a.png)" in answer.inner_text()  # shown as text
    assert "![outlet]" in page.locator(".message-wrap details summary").last.inner_text()
    page.locator(".message-wrap details summary").last.click()
    open_cited(page, answer.locator("a.cite").first)
    assert f"<img src=http://{LEAK_HOST}/b.png>" in page.locator("#viewer .article-body").inner_text()
    page.get_by_text("Only some articles or outlets").click()
    page.locator("#outlet-filter input").click()
    page.get_by_role("option", name="outlet", exact=False).first.wait_for(timeout=10_000)
    page.wait_for_timeout(1000)
    assert requested and not [url for url in requested if LEAK_HOST in url]
    assert page.locator(f"img[src*='{LEAK_HOST}'], iframe[src*='{LEAK_HOST}'], a[href*='{LEAK_HOST}']").count() == 0


def test_a_short_answer_leads_in_bold_and_is_marked_inside_its_quote(page):
    ask(page, "Which National Security Advisor to Trump resigned?")
    answer = page.locator(".message-wrap div.answer").last
    lead = answer.locator("b.short-answer").first.inner_text()
    assert lead and answer.inner_text().startswith(lead)
    details = answer.locator("xpath=..").locator("details")
    for i in range(details.count()):
        details.nth(i).locator("summary").click()
    assert page.locator(".message-wrap details mark b.short-answer").last.inner_text() == lead


def test_abstention_looks_different_from_an_answer(page):
    ask(page, "What is the capital of Australia?")
    abstained = page.locator(".message-wrap .abstained")
    abstained.wait_for(timeout=60_000)
    assert "don't answer" in abstained.inner_text()
    assert abstained.evaluate("e => getComputedStyle(e).fontStyle") == "italic"


def test_thumbs_up_and_down_become_evaluation_questions(page, index, tmp_path):
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
    assert "Zakaria" in rows[0]["answer"] and rows[0]["doc_ids"] and not rows[0]["abstained"]
    assert rows[1]["abstained"]
    out = tmp_path / "feedback-eval"
    run_cli("eval", "--index", str(index), "--feedback", "--out", str(out))
    questions = [json.loads(line) for line in (out / "feedback-questions.jsonl").read_text().splitlines()]
    assert [q["type"] for q in questions] == ["liked", "needs_review"]
    assert questions[0]["gold_doc_ids"] == rows[0]["doc_ids"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["questions"] == 1  # the disliked one awaits a right answer
    assert summary["systems"]["engine"]["overall"]["answer_in_answer"] == 1.0  # the liked answer still given


def test_a_citation_opens_its_article_scrolled_to_the_span(page):
    ask(page, "How much did the Glenmoor council approve for the ferry terminal?")
    answer = page.locator(".message-wrap div.answer").last
    assert "4.2 million crowns" in answer.inner_text()
    assert page.locator(".message-wrap sub").filter(has_text=" ms").count() >= 1  # each answer shows its latency
    open_cited(page, answer.locator("a.cite").first)
    mark = page.locator("#viewer mark")
    assert "4.2 million crowns" in mark.inner_text()
    assert "Glenmoor harbour council" in page.locator("#viewer .viewer-head").inner_text()
    body = page.locator("#viewer .article-body")
    page.wait_for_function("document.querySelector('#viewer .article-body').scrollTop > 0", timeout=10_000)
    shown, marked = body.bounding_box(), mark.bounding_box()
    assert shown["y"] <= marked["y"] and marked["y"] + marked["height"] <= shown["y"] + shown["height"]
    page.screenshot(path=str(DOCS / "chat-article-viewer.png"), full_page=True)


def test_the_filter_limits_answers_to_the_chosen_article(page):
    page.get_by_text("Only some articles or outlets").click()
    picker = page.locator("#article-filter input")
    picker.click()
    picker.fill("Mouthpiece")
    page.get_by_role("option", name="Mouthpiece", exact=False).first.click()
    ask(page, CLINTON_ADVISORS)
    answer = page.locator(".message-wrap div.answer").last
    cited = {a.get_attribute("href").split("/")[1] for a in answer.locator("a.cite").all()}
    assert cited == {"001_e31c4c802982c21a"}
    assert page.locator(".message-wrap table.by-article").count() == 0
    assert "Read only 1 selected article" in page.locator(".message-wrap").last.inner_text()


def test_upload_from_the_browser_names_each_rejected_file(page, tmp_path, chat_url):
    good = tmp_path / "quarry-news.txt"
    good.write_text("Quarry reopens in Dunmore\n\nThe Dunmore slate quarry reopened on Monday with forty workers, "
                    "the owners said.\n", encoding="utf-8")
    empty = tmp_path / "empty-notes.txt"
    empty.write_bytes(b"")
    page.get_by_text("Add articles").click()
    page.locator("input[type=file]").set_input_files([str(good), str(empty)])
    report = page.locator("#upload-report").filter(has_text="added")
    report.wait_for(timeout=120_000)
    text = report.inner_text()
    assert "1 added" in text and "empty-notes.txt" in text
    ask(page, "How many workers does the Dunmore quarry have?")
    assert "forty workers" in page.locator(".message-wrap div.answer").last.inner_text()
    page.screenshot(path=str(DOCS / "chat-upload.png"), full_page=True)


def test_llm_words_stream_in_then_give_way_to_the_checked_answer(index, llama_server):
    """A real llama.cpp server writes; the chat shows its words as they come, then the checked answer,
    which says what made it."""
    from playwright.sync_api import sync_playwright

    with served(index, env={"ASSISTANT_LLM_URL": llama_server}) as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.goto(url)
        page.locator("#answer-mode").wait_for(state="visible", timeout=60_000)  # the mode picker shows
        box = page.get_by_placeholder("Ask a question about the articles…")
        box.fill(CLINTON_ADVISORS)
        box.press("Enter")
        page.get_by_text("Writing…").first.wait_for(timeout=120_000)
        ask_done = ".message-wrap div.answer, .message-wrap div.abstained"
        page.wait_for_function(f"document.querySelectorAll({ask_done!r}).length > 0", timeout=180_000)
        made_by = page.locator(".message-wrap .made-by").last.inner_text()
        assert "Written by the LLM" in made_by or "extractive answer" in made_by
        assert page.locator(".message-wrap").last.get_by_text("Writing…").count() == 0
        page.screenshot(path=str(DOCS / "chat-llm.png"), full_page=True)
        browser.close()


def test_a_question_about_an_article_itself_is_answered_from_its_credit_line(page):
    ask(page, "Who took the feature image of the Mouthpiece article?")
    answer = page.locator(".message-wrap div.answer").last
    assert answer.locator("b.short-answer").first.inner_text() == "Getty Images/Anna Sergeeva"
    details = answer.locator("xpath=..").locator("details")
    for i in range(details.count()):
        details.nth(i).locator("summary").click()
    assert page.locator(".message-wrap details mark").last.inner_text().startswith("Feature Image via")
    page.screenshot(path=str(DOCS / "chat-article-facts.png"), full_page=True)


def test_the_first_example_lists_what_each_article_is_about(page):
    page.locator("text=What are the articles about?").first.wait_for(timeout=30_000)  # offered as an example
    ask(page, "What are the articles about?")
    answer = page.locator(".message-wrap div.answer").last
    cited = {a.get_attribute("href").split("/")[1] for a in answer.locator("a.cite").all()}
    assert {"000_5fd4c794f016a340", "001_e31c4c802982c21a", "marrow-bay", "glenmoor-minutes", "beacon-comet"} <= cited
    page.screenshot(path=str(DOCS / "chat-overview.png"), full_page=True)


def test_who_is_quoted_with_no_article_named_is_answered_for_each(page):
    """It stopped at "the question has no words to search for"; each article now gets its row."""
    ask(page, "Who is quoted?")
    table = page.locator(".message-wrap div.answer").last.locator("table.by-article")
    rows = [r.inner_text() for r in table.locator("tr").all()[1:]]  # the folder's five, and any upload test's
    assert len(rows) >= 5 and all("Quoted in it:" in r or "No one quoted." in r for r in rows)
    assert sum("Quoted in it: Peskov" in r for r in rows) == 2  # the two seed articles
    page.screenshot(path=str(DOCS / "chat-who-is-quoted.png"), full_page=True)
