"""Text similarity between a dispute's description and mediators' profiles (TF-IDF, cosine).

One index is fitted per data set on every profile and description, so a mediator's text score
for a dispute is the same whichever command or page asks for it.
"""

from __future__ import annotations

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
        if any(text.strip() for text in corpus):
            matrix = self._vectorizer.fit_transform(corpus)
            self._profiles = matrix[: len(data.mediators)]
        else:
            self._profiles = None

    def similarity(self, description: str) -> np.ndarray:
        """Cosine similarity of each mediator's profile to the text, rescaled so the best is 1.

        Rescaling makes the text part of the expertise score use its whole 0..1 range; raw
        TF-IDF cosines of short texts rarely pass 0.3.
        """
        n = len(self.mediator_ids)
        if self._profiles is None or not description.strip():
            return np.zeros(n)
        query = self._vectorizer.transform([description])
        sims = np.asarray((self._profiles @ query.T).todense()).ravel()
        top = float(sims.max()) if n else 0.0
        return sims / top if top > 0 else np.zeros(n)

    def row(self, mediator_id: str) -> int:
        return self._row[mediator_id]
