"""The English-text detector of the French crawl (``tests/frenchtext.py``) finds English and leaves identifiers
alone: a dataset id whose hex digits happen to spell an English word (« 28d6ae6c-51e1-49be-… ») made the crawl
fail on a page that was French."""
from tests.frenchtext import english_texts, english_words


def test_english_words_are_found_in_a_sentence():
    assert english_words("Save the dataset") == ["save", "the", "dataset"]
    assert english_words("Enregistrer le jeu de données") == []


def test_identifiers_whose_pieces_spell_a_word_are_not_english():
    assert english_words("'28d6ae6c-51e1-49be-b327-332...'") == []
    assert english_words("sha256 9add0f3e1be") == []
    assert english_words("le 2e jeu de données, modifié à 10h30") == []


def test_a_page_with_an_id_in_its_text_is_french_when_the_rest_is():
    html = ("<html><body><main><h1>Modifications</h1><p>Voir les modifications de "
            "<span>28d6ae6c-51e1-49be-b327-332...</span></p><p>Save the dataset</p></main></body></html>")
    assert english_texts(html) == [("Save the dataset", ["save", "the", "dataset"])]
