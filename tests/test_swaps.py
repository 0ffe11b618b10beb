"""A quoted sentence speaking of someone else where the question names its own doesn't answer it
(`swaps.py`), with the real spaCy model; end to end through `ask --json` in `test_opposites.py`."""

from assistant.swaps import swapped

KOIZUMI = ("George W. Bush and Junichiro Koizumi also bonded during Koizumi’s 2001-2006 term as Japanese premier, "
           "visiting Elvis Presley’s Graceland mansion, where Koizumi crooned Elvis tunes.")
TEST = "North Korea conducted its sixth and most powerful nuclear bomb test on Sept. 3."
KISHI = "Abe’s grandfather, Nobusuke Kishi, began the tradition of golf diplomacy with Dwight Eisenhower."


def test_a_nationality_person_or_ordinal_in_the_place_of_the_questions_is_a_swap():
    assert swapped("Which Korean premier crooned Elvis tunes at Graceland?", [KOIZUMI]) == ("Korean", "Japanese")
    assert swapped("When did North Korea conduct its seventh nuclear bomb test?", [TEST]) == ("seventh", "sixth")
    assert swapped("Who was Trump’s grandfather?", [KISHI]) == ("Trump", "Abe")
    # the question's own, in any of its forms
    assert swapped("Which Japanese premier crooned Elvis tunes at Graceland?", [KOIZUMI]) is None
    assert swapped("Who was Japan's premier who crooned Elvis tunes?", [KOIZUMI]) is None
    assert swapped("When did North Korea conduct its sixth nuclear bomb test?", [TEST]) is None
    assert swapped("Who was Abe's grandfather?", [KISHI]) is None
    # said by another quoted sentence: what was asked after all
    assert swapped("Who was Trump’s grandfather?", [KISHI, "Trump’s grandfather was Friedrich Trump."]) is None


def test_names_that_may_be_one_thing_are_no_swap():
    # initials
    assert swapped("Who is the United States ambassador to Japan?",
                   ["William Hagerty, the U.S. ambassador to Japan, attended."]) is None
    # a city is in its country, a nationality is its country, a place may say where a thing is; organisations
    # go by names that share no word
    assert swapped("In what year was the embassy in Havana reopened?",
                   ["The embassy in Cuba was reopened in 2015."]) is None
    assert swapped("Where was the deadliest mass shooting in American history?",
                   ["It was the deadliest mass shooting in U.S. history."]) is None
    assert swapped("What is the name of the fugitive Pennsylvania pig?",
                   ["Leroy, a Vietnamese pot-bellied pig, wandered off."]) is None
    assert swapped("Which celebrity will host the Academy Awards?",
                   ["Comedian Jimmy Kimmel will host the Oscars for the fourth time."]) is None

