from __future__ import annotations

import pytest

from vigil.errors import TaggingError
from vigil.nlp.normalize import build_stream, normalise_word, split_words
from vigil.nlp.terms import TermTrie, parse_pattern, select_longest


def stream(text: str, lemmas=None):  # type: ignore[no-untyped-def]
    if lemmas is None:
        return build_stream(text, [(0, len(text))])
    return build_stream(text, [(0, len(text))], lambda w: lemmas.get(w, ()))


def found(trie: TermTrie, text: str, lemmas=None) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    s = stream(text, lemmas)
    return [(text[s.words[m.start].start:s.words[m.end - 1].end], m.payload)
            for m in select_longest(trie.find(s.words))]


def test_words_split_on_hyphens_and_apostrophes_in_every_language() -> None:
    assert [w for _, _, w in split_words("Guinea-Bissau's d’Ivoire")] == ["Guinea", "Bissau", "s", "d", "Ivoire"]


def test_arabic_normalisation_strips_clitics_and_unifies_letters() -> None:
    assert normalise_word("والسّودان") == normalise_word("السودان") == "سودان"
    assert normalise_word("بالخرطوم") == "خرطوم"
    assert normalise_word("إبادة") == normalise_word("ابادة") == "اباده"


def test_cyrillic_yo_and_case_folding() -> None:
    assert normalise_word("Ёлка") == "елка"


def test_exact_prefix_suffix_and_gap_terms() -> None:
    trie = TermTrie()
    trie.add(parse_pattern("massacr*"), "prefix")
    trie.add(parse_pattern("*mord"), "suffix")
    trie.add(parse_pattern("kill _ civilians"), "gap")
    trie.add(parse_pattern("mass grave"), "exact")
    text = "Massacred villagers, a Völkermord, they kill the civilians near a mass grave."
    assert found(trie, text) == [("Massacred", "prefix"), ("Völkermord", "suffix"),
                                 ("kill the civilians", "gap"), ("mass grave", "exact")]


def test_infix_terms_find_a_part_inside_german_compounds() -> None:
    trie = TermTrie()
    trie.add(parse_pattern("*umsiedlung*"), "displacement")
    trie.add(parse_pattern("*massengr* entdeckt"), "grave")
    text = "Die Zwangsumsiedlungen gingen weiter; Umsiedlung geplant; Siedlung alt; Massengräber entdeckt."
    assert found(trie, text) == [("Zwangsumsiedlungen", "displacement"), ("Umsiedlung", "displacement"),
                                 ("Massengräber entdeckt", "grave")]
    with pytest.raises(TaggingError, match="must be one word"):
        parse_pattern("*Guinea-Bissau*")


def test_lemma_candidates_match_inflected_forms() -> None:
    trie = TermTrie(lambda w: {"were": ("be",), "killed": ("kill",)}.get(w, ()))
    trie.add(parse_pattern("civilians were killed"), "k")
    lemmas = {"are": ("be",), "killed": ("kill",), "kills": ("kill",)}
    assert found(trie, "Civilians are killed daily", lemmas) == [("Civilians are killed", "k")]


def test_acronyms_are_case_sensitive_and_cased_names_need_a_capital() -> None:
    trie = TermTrie()
    trie.add(parse_pattern("RSF", cased=True), "rsf")
    trie.add(parse_pattern("Turkey", cased=True), "TR")
    assert found(trie, "the rsf ate turkey") == []
    assert found(trie, "The RSF entered Turkey") == [("RSF", "rsf"), ("Turkey", "TR")]


def test_longest_match_wins_and_matches_stay_inside_a_sentence() -> None:
    trie = TermTrie()
    trie.add(parse_pattern("Sudan"), "SD")
    trie.add(parse_pattern("South Sudan"), "SS")
    assert found(trie, "South Sudan and Sudan") == [("South Sudan", "SS"), ("Sudan", "SD")]
    text = "Go south. Sudan"
    s = build_stream(text, [(0, 9), (10, len(text))])
    assert [m.payload for m in select_longest(trie.find(s.words))] == ["SD"]


def test_punctuation_terms_are_ignored_and_bad_patterns_rejected() -> None:
    assert [t.value for t in parse_pattern("door - to - door").terms] == ["door", "to", "door"]
    with pytest.raises(TaggingError):
        parse_pattern("_ _")
    with pytest.raises(TaggingError):
        parse_pattern("- -")


def test_a_gap_can_stretch_when_the_trie_allows_it() -> None:
    strict = TermTrie()
    loose = TermTrie(max_gap=3)
    for trie in (strict, loose):
        trie.add(parse_pattern("killed _ civilians"), "k")
    text = "Gunmen killed at least 60 civilians; they killed civilians too."
    assert found(strict, text) == []
    assert found(loose, text) == [("killed at least 60 civilians", "k")]
    assert found(loose, "they killed one two three four civilians") == []
