"""Follow-ups resolved against the conversation, on the real seed index."""

from assistant.conversation import Conversation
from conftest import CLINTON_ADVISORS, SEED_IDS


def test_the_other_article_asks_again_of_the_articles_not_cited(seed_assistant):
    # the first answer is made to come from one article only, as if only it had answered
    first = seed_assistant.ask("What did Peskov say about the meetings?", exclude=frozenset(SEED_IDS[1:]))
    cited = {c.doc_id for c in first.citations}
    assert not first.abstained and cited == {SEED_IDS[0]}
    conversation = Conversation(seed_assistant, [first])
    follow = conversation.ask("and what did the other article say?")
    assert follow.question == first.question and follow.resolved_from
    assert follow.citations and {c.doc_id for c in follow.citations} == set(SEED_IDS) - cited


def test_who_is_he_names_the_person_just_quoted(seed_assistant):
    conversation = Conversation(seed_assistant)
    first = conversation.ask(CLINTON_ADVISORS)
    speaker = next(c.speaker for c in first.citations if c.speaker)
    follow = conversation.ask("who is he?")
    assert follow.question == f"who is {speaker}?"
    assert not follow.abstained and "spokes" in follow.answer.lower()


def test_what_about_asks_what_was_said_about_another_topic(seed_assistant):
    conversation = Conversation(seed_assistant)
    conversation.ask(CLINTON_ADVISORS)  # "what did Peskov claim about Clinton's advisors?"
    follow = conversation.ask("And what about Kislyak?")
    assert follow.question == "what did Peskov claim about Kislyak?" and follow.resolved_from == "And what about Kislyak?"
    assert not follow.abstained and any("Kislyak" in c.quote for c in follow.citations)
    # a question that asks no one's words about something has no topic to swap: asked as it stands
    conversation.ask("Who interviewed Peskov on CNN?")
    assert conversation.ask("What about Kislyak?").question == "What about Kislyak?"


def test_what_about_asks_which_articles_mention_another_name(seed_assistant):
    conversation = Conversation(seed_assistant)
    assert conversation.ask("Which articles mention Obama?").abstained  # none does: the follow-up still swaps
    follow = conversation.ask("what about Sessions?")
    assert follow.question == "Which articles mention Sessions?" and follow.answer.startswith("1 of the 2 articles")
    assert [c.doc_id for c in follow.citations] == [SEED_IDS[0]] and "Sessions" in follow.citations[0].quote


def test_tell_me_more_quotes_the_next_sentences_until_there_are_none(seed_assistant):
    """"tell me more" had no words to search for: the chat answered "Can't answer"."""
    conversation = Conversation(seed_assistant)
    first = conversation.ask(CLINTON_ADVISORS)
    quoted = [(c.doc_id, c.start, c.end) for c in first.citations]
    for follow_up in ["tell me more", "what else?", "go on"]:
        more = conversation.ask(follow_up)
        assert more.question == CLINTON_ADVISORS and more.resolved_from == follow_up and more.short_answer is None
        assert more.citations and not more.abstained
        spans = [(c.doc_id, c.start, c.end) for c in more.citations]
        assert not any(d == e and a < y and x < b for d, a, b in spans for e, x, y in quoted), spans  # nothing again
        quoted += spans
    for _ in range(10):
        if (last := conversation.ask("more")).abstained:
            break
    assert last.answer == "The articles read say nothing more about this." and not last.citations
    assert conversation.ask("tell me more about Kislyak").question == "tell me more about Kislyak"  # a topic of its own


def test_a_question_without_reference_is_asked_as_it_stands(seed_assistant):
    conversation = Conversation(seed_assistant)
    conversation.ask(CLINTON_ADVISORS)
    follow = conversation.ask("Who interviewed Peskov on CNN?")
    assert follow.question == "Who interviewed Peskov on CNN?" and not follow.resolved_from


def test_this_article_is_the_one_just_cited(seed_assistant):
    for cited_id in SEED_IDS:  # the first answer made to come from one article, each in turn
        first = seed_assistant.ask("What did Peskov say about the meetings?", exclude=frozenset(SEED_IDS) - {cited_id})
        assert {c.doc_id for c in first.citations} == {cited_id}
        for follow_up in ("How does this article end?", "How does this op-ed end?"):  # any word for an article
            follow = Conversation(seed_assistant, [first]).ask(follow_up)
            assert follow.evidence.get("article_fact") == "ending" and {c.doc_id for c in follow.citations} == {cited_id}
    # Two articles cited: which one "this article" means isn't known, so each article's end is quoted.
    first = seed_assistant.ask(CLINTON_ADVISORS)
    assert {c.doc_id for c in first.citations} == set(SEED_IDS)
    both = Conversation(seed_assistant, [first]).ask("How does this article end?")
    assert both.evidence.get("article_fact") == "ending" and {c.doc_id for c in both.citations} == set(SEED_IDS)
