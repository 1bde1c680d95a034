"""A data set made ready for solving: reference table, text index and history, built once.

The app keeps one ``Workspace`` per loaded data set; the command line builds one per run. A
workspace is never changed after it is built (a changed roster is a new workspace), so what it
derives from the data (text index, histories, the roster's arrays) is built once, on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from matching.core.domain import Dataset, Dispute
from matching.core.errors import UnknownIdError
from matching.io.countries import CountryTable, default_countries
from matching.io.rulesets import RuleSet
from matching.rules.checker import DisputeView, dispute_view
from matching.rules.history import History
from matching.rules.text import TextIndex

if TYPE_CHECKING:
    from matching.rules.encoding import RosterArrays


class Workspace:
    def __init__(self, data: Dataset, countries: CountryTable | None = None) -> None:
        self.data = data
        self.countries = countries or default_countries()
        self._histories: dict[int, History] = {}

    @cached_property
    def text(self) -> TextIndex:
        return TextIndex(self.data)

    @cached_property
    def arrays(self) -> RosterArrays:
        """The roster as arrays: the encoder every dispute's ``PanelInstance`` is built with."""
        from matching.rules.encoding import RosterArrays  # the encoder is built on this module

        return RosterArrays(self)

    def history(self, years: int) -> History:
        if years not in self._histories:
            self._histories[years] = History.build(self.data.appointments, years)
        return self._histories[years]

    def dispute(self, dispute_id: str) -> Dispute:
        try:
            return self.data.dispute(dispute_id)
        except KeyError:
            raise UnknownIdError("dispute", dispute_id, [d.dispute_id for d in self.data.disputes]) from None

    def check_mediator(self, mediator_id: str) -> None:
        if mediator_id not in self.data.mediators_by_id:
            raise UnknownIdError("mediator", mediator_id, [m.mediator_id for m in self.data.mediators])

    def view(self, dispute: Dispute, rule_set: RuleSet, extra_load: Mapping[str, int] | None = None) -> DisputeView:
        return dispute_view(self.data, dispute, rule_set, self.countries, extra_load)
