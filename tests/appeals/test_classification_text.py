"""Text normalisation for the classifier: HTML out, lower case, ё → е, lemmas, stop words; bad input
never raises."""

import random
import time

import pytest

from appeals.classification import text


def test_html_tags_and_entities_are_stripped():
    raw = "<p>Течёт&nbsp;крыша&nbsp;в подъезде&hellip;</p><br/><script>alert(1)</script>&laquo;срочно&raquo;"

    assert text.normalize(raw) == "течет крыша в подъезде… «срочно»"


def test_double_escaped_and_unterminated_entities_become_spaces():
    assert text.normalize("яма&amp;nbsp;на дороге&nbspу дома") == "яма на дороге у дома"


def test_yo_is_folded_and_case_lowered():
    assert text.normalize("ЁЛКИ, Всё Зелёное") == "елки, все зеленое"


def test_inflected_forms_become_their_lemma():
    assert text.lemmas("ямы на дорогах у подъездов") == ["яма", "дорога", "подъезд"]
    assert text.lemmas("отключили горячую воду") == ["отключить", "горячий", "вода"]


def test_stop_words_and_politeness_formulae_are_dropped():
    assert text.lemmas("Здравствуйте! Пожалуйста, помогите: у нас и у них нет воды") == ["помочь", "нет", "вода"]


def test_digits_and_signs_are_dropped_from_tokens():
    assert text.tokenize(text.normalize("ул. Есенина, д. 12/3, кв. 45 — 2-й подъезд!!!")) == [
        "ул", "есенина", "д", "кв", "й", "подъезд",
    ]  # fmt: skip


def test_latin_words_are_kept_as_they_are():
    assert text.lemmas("не работает wi-fi и QR код") == ["не", "работать", "wi-fi", "qr", "код"]


def test_the_lemma_of_a_word_form_is_computed_once():
    text.lemma("колдобинами")
    before = text.lemma.cache_info().hits

    text.lemmas("колдобинами колдобинами")

    assert text.lemma.cache_info().hits == before + 2


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        None,
        "   \n\t ",
        "😀🙏🔥" * 300,
        "<div><br/><img src='x.png'></div>",
        "&nbsp;&nbsp;&amp;&lt;&gt;",
        "<<<>>> </p <p",
        "The road near my house is broken, please fix it",
        "道路坏了请修理",
        "\x00\x01\x02\ufffd",
        "1234567890 +7 (910) 000-00-00",
        "а" * 100_000,
    ],
    ids=["empty", "none", "spaces", "emoji", "html-only", "entities-only", "broken-tags", "english", "chinese",
         "control", "digits", "one-huge-word"],
)  # fmt: skip
def test_garbage_input_never_raises(garbage):
    words, lemmas = text.prepare(garbage)

    assert isinstance(words, str) and isinstance(lemmas, str)


def test_garbage_without_russian_words_has_no_lemmas():
    for garbage in ("", "😀" * 50, "<p>&nbsp;</p>", "12 345"):
        assert text.prepare(garbage) == ("", "")


def test_a_megabyte_of_text_is_clipped_and_fast():
    rng = random.Random(4)
    words = ["яма", "дорога", "мусор", "подъезд", "<p>", "&nbsp;", "вода", "😀", "отопление", "школа"]
    huge = " ".join(rng.choice(words) for _ in range(200_000))
    assert len(huge) > 1_000_000

    started = time.perf_counter()
    normalized, lemmas = text.prepare(huge)

    assert time.perf_counter() - started < 2
    assert len(lemmas.split()) <= text.MAX_WORDS
    assert "яма" in lemmas
