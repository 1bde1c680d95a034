"""The text index's similarities, read term by term (``_ByTerm``), are the sparse matrix product's to the last
bit, whatever order the profiles store their terms in; and asking again for a description gives the same."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.core.paths import demo_dir
from matching.io.loading import load_folder
from matching.rules.text import TextIndex, _ByTerm


@st.composite
def sparse_rows(draw: st.DrawFn) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """A sparse matrix whose rows store their terms in a drawn (unsorted) order, and a query of a few terms."""
    n, terms = draw(st.integers(1, 8)), draw(st.integers(1, 12))
    weight = st.floats(0.01, 1.0, allow_nan=False)
    data, indices, indptr = [], [], [0]
    for _ in range(n):
        row = draw(st.permutations(range(terms)))[: draw(st.integers(0, terms))]
        indices += row
        data += [draw(weight) for _ in row]
        indptr.append(len(indices))
    rows = sp.csr_matrix((np.array(data, dtype=np.float64), np.array(indices), np.array(indptr)), shape=(n, terms))
    query = np.array(sorted(draw(st.sets(st.integers(0, terms - 1), max_size=terms))), dtype=np.int64)
    return rows, query, np.array([draw(weight) for _ in query], dtype=np.float64)


@settings(max_examples=60, deadline=None)
@given(sparse_rows())
def test_by_term_is_the_sparse_product_to_the_bit(case: tuple[sp.csr_matrix, np.ndarray, np.ndarray]) -> None:
    rows, terms, weights = case
    query = sp.csr_matrix((weights, terms, [0, len(terms)]), shape=(1, rows.shape[1]))
    expected = np.asarray((rows @ query.T).todense()).ravel()
    got = _ByTerm(rows).dot(terms, weights, rows.shape[0])
    assert got.dtype == np.float64
    assert np.array_equal(got, expected)  # the same sums in the same order: equal, not merely close


def test_similarity_matches_the_fitted_vectoriser_on_the_demo() -> None:
    data = load_folder(demo_dir())
    text = TextIndex(data)
    assert text._profiles is not None
    for d in data.disputes[:20]:
        sims = np.asarray((text._profiles @ text._vectorizer.transform([d.description]).T).todense()).ravel()
        expected = sims / sims.max() if sims.max() > 0 else np.zeros(len(sims))
        assert np.array_equal(text.similarity(d.description), expected)
        assert np.array_equal(text.similarity(d.description), expected)  # from the kept query
    assert not text.similarity("   ").any()


def test_prepared_descriptions_are_one_call_each_to_the_bit() -> None:
    """``prepare`` transforms many descriptions in one call: each one's terms and weights are those of a call of its
    own, and asking for it later calls the vectorizer no more."""
    data = load_folder(demo_dir())
    descriptions = [d.description for d in data.disputes]
    one_by_one, prepared = TextIndex(data), TextIndex(data)
    prepared.prepare([*descriptions, descriptions[0], "  "])
    prepared._vectorizer.transform = None  # type: ignore[method-assign]  # (any further call would fail)
    for text in descriptions:
        if not text.strip():
            continue
        (terms, weights), (terms_1, weights_1) = prepared._query(text), one_by_one._query(text)
        assert terms.dtype == terms_1.dtype and np.array_equal(terms, terms_1)
        assert weights.tobytes() == weights_1.tobytes()
        assert np.array_equal(prepared.similarity(text), one_by_one.similarity(text))
