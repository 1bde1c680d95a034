"""Text similarity between a dispute's description and mediators' profiles (TF-IDF, cosine).

One index is fitted per data set on every profile and description, so a mediator's text score
for a dispute is the same whichever command or page asks for it. The batch asks for each
description's similarities once per pricing round, so each description's terms are transformed
once and kept, and the profiles are also held term by term (``_ByTerm``): a description's few terms
then read only the profiles that use them, not every profile.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from matching.core.domain import Dataset


class TextIndex:
    def __init__(self, data: Dataset) -> None:
        # Imported here: scikit-learn takes about half a second to import, and only solving needs it.
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.mediator_ids = [m.mediator_id for m in data.mediators]
        self._row = {mid: i for i, mid in enumerate(self.mediator_ids)}
        corpus = [m.profile for m in data.mediators] + [d.description for d in data.disputes]
        self._vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1)
        self._queries: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # description -> its terms and weights
        self._by_term: _ByTerm | None = None
        if any(text.strip() for text in corpus):
            matrix = self._vectorizer.fit_transform(corpus)
            self._profiles = matrix[: len(data.mediators)]
            self._by_term = _ByTerm(self._profiles.tocsr())
        else:
            self._profiles = None

    def similarity(self, description: str) -> np.ndarray:
        """Cosine similarity of each mediator's profile to the text, rescaled so the best is 1.

        Rescaling makes the text part of the expertise score use its whole 0..1 range; raw
        TF-IDF cosines of short texts rarely pass 0.3.
        """
        n = len(self.mediator_ids)
        if self._by_term is None or not description.strip():
            return np.zeros(n)
        terms, weights = self._query(description)
        sims = self._by_term.dot(terms, weights, n)
        top = float(sims.max()) if n else 0.0
        return sims / top if top > 0 else np.zeros(n)

    def prepare(self, descriptions: Iterable[str]) -> None:
        """Transform the terms of these descriptions in one call instead of one call each (the batch encodes
        every dispute; the vectorizer's fixed cost per call was most of a dispute's text similarity). Each
        description's row is computed on its own, so its terms and weights are those of a call of its own."""
        if self._by_term is None:
            return
        todo = list(dict.fromkeys(d for d in descriptions if d.strip() and d not in self._queries))
        if not todo:
            return
        matrix = self._vectorizer.transform(todo).tocsr()
        for row, description in enumerate(todo):
            lo, hi = int(matrix.indptr[row]), int(matrix.indptr[row + 1])
            self._queries[description] = (matrix.indices[lo:hi].astype(np.int64), matrix.data[lo:hi].copy())

    def _query(self, description: str) -> tuple[np.ndarray, np.ndarray]:
        """The description's terms and their weights (transformed once)."""
        found = self._queries.get(description)
        if found is None:
            query = self._vectorizer.transform([description]).tocsr()
            found = self._queries[description] = (query.indices.astype(np.int64), query.data)
        return found

    def row(self, mediator_id: str) -> int:
        return self._row[mediator_id]


class _ByTerm:
    """A sparse profiles matrix (rows: mediators) held by term, for products with a query of few terms
    that add each row's terms in the order the rows store them, as the sparse matrix product does (so the
    similarities are the same to the last bit)."""

    def __init__(self, rows: Any) -> None:
        row_of = np.repeat(np.arange(rows.shape[0], dtype=np.int64), np.diff(rows.indptr))
        order = np.lexsort((np.arange(rows.nnz), rows.indices))  # by term, then by the rows' stored order
        self.rows = row_of[order]
        self.values = np.asarray(rows.data)[order]
        self.stored = order  # each entry's place in the rows' storage (row by row, in their order)
        self.start = np.concatenate([[0], np.cumsum(np.bincount(rows.indices, minlength=rows.shape[1]))])

    def dot(self, terms: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
        """Each row's sum of its value times the query's weight over the query's ``terms``."""
        lo, hi = self.start[terms], self.start[terms + 1]
        spans = [np.arange(a, b, dtype=np.int64) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]
        at = np.concatenate(spans) if spans else np.zeros(0, dtype=np.int64)
        products = self.values[at] * np.repeat(weights, hi - lo)
        first = np.argsort(self.stored[at], kind="stable")
        return np.bincount(self.rows[at][first], weights=products[first], minlength=n).astype(np.float64)
