"""The one text layer: languages, sentences, words, names and quote marks.

Every step that reads prose (cleaning, quotes, briefings, the LLM checks) asks this package, so
adding a language means adding data files and tests here, not editing the steps. What other
packages may use is imported below; the modules behind it are this package's own business.

- `languages`: the registry, one data folder per language (docs/languages.md);
- `names`: titles, honorifics, particles and first names, merged over every language;
- `sentences`: the sentence splitter, for whole texts and for offsets inside a paragraph;
- `tokens`: words (letters) and tokens (letters and digits), and comparison keys;
- `guess`: the one language guess (function words, then py3langid's model);
- `quotemarks`: the quote-span scanner and the quote marks every language uses.
"""

from bot.text.guess import (
    MIN_SHARE,
    guess_language,
    guess_words,
    language_scores,
    load_language_model,
)
from bot.text.languages import (
    BASE_LANGUAGE,
    Language,
    LanguageDataError,
    boilerplate_pattern,
    common,
    language_code,
    language_info,
    languages,
)
from bot.text.names import (
    abbreviated_titles,
    courtesy_titles,
    declines,
    family_names,
    first_name_of,
    first_names,
    honorifics,
    name_forms,
    name_joiners,
    name_particles,
    nominative,
    nominatives,
    org_words,
    title_words,
    upper_letters,
)
from bot.text.quotemarks import QuoteMarks, Span, quote_marks, scan_spans
from bot.text.sentences import (
    end_of_first_sentence,
    sentence_spans,
    sentence_starts,
    split_sentences,
    start_of_last_sentence,
    stopwords,
)
from bot.text.tokens import (
    comparison_key,
    has_cjk,
    has_token,
    terms,
    tokens,
    word_count,
    words,
)

__all__ = [
    "BASE_LANGUAGE",
    "MIN_SHARE",
    "Language",
    "LanguageDataError",
    "QuoteMarks",
    "Span",
    "abbreviated_titles",
    "boilerplate_pattern",
    "common",
    "comparison_key",
    "courtesy_titles",
    "declines",
    "end_of_first_sentence",
    "family_names",
    "first_name_of",
    "first_names",
    "guess_language",
    "guess_words",
    "has_cjk",
    "has_token",
    "honorifics",
    "language_code",
    "language_info",
    "language_scores",
    "languages",
    "load_language_model",
    "name_forms",
    "name_joiners",
    "name_particles",
    "nominative",
    "nominatives",
    "org_words",
    "quote_marks",
    "scan_spans",
    "sentence_spans",
    "sentence_starts",
    "split_sentences",
    "start_of_last_sentence",
    "stopwords",
    "terms",
    "title_words",
    "tokens",
    "upper_letters",
    "word_count",
    "words",
]
