"""Table laws, over every instrument: rows cover their vocabularies, bands partition the range,
the extreme sums equal the published range, points are monotone in the declared direction, and
every row cites a registered paper."""

from __future__ import annotations

import enum
import itertools
import re

import pytest

import spinemets
from spinemets import citations
from spinemets._table import Item, Span
from spinemets.citations import ALL_CITATIONS, Evidence
from spinemets.recommend import grid
from spinemets.scales import ECOG_TO_KPS
from spinemets.scores import SUMMED, escc, tomita

INSTRUMENTS = [pytest.param(m, id=m.ID) for m in SUMMED]

#: Published ranges, typed again from interchange §3 and §3.1 (not read from the modules).
PUBLISHED_RANGE = {"tomita": (2, 10), "tokuhashi_1990": (0, 12), "tokuhashi_2005": (0, 15),
                   "sins": (0, 18), "bauer_1995": (0, 5), "bauer_modified": (0, 4),
                   "nesms": (0, 3), "katagiri_2014": (0, 10), "van_der_linden": (0, 6),
                   "rades_2008": (20, 45), "osri": (1, 7)}
#: The sum of the items where it differs from the published range: NESMS caps its raw 0-4 at 3.
ITEM_SUM_RANGE = {"nesms": (0, 4)}
#: Instruments with no published bands (interchange §3.1).
NO_BANDS = {"osri"}
SEED = {"tomita", "tokuhashi_1990", "tokuhashi_2005", "sins"}


def _enum_of(item: Item) -> type[enum.Enum] | None:
    for row in item.rows:
        if isinstance(row.when, tuple):
            return type(row.when[0])
    return None


class TestTableLaws:
    @pytest.mark.parametrize("module", INSTRUMENTS)
    def test_rows_cover_their_vocabulary_exactly_once(self, module: object) -> None:
        """Every member of an item's vocabulary appears in exactly one of its rows."""
        for item in module.ITEMS:  # type: ignore[attr-defined]
            kind = _enum_of(item)
            if kind is None:
                continue
            members = [m for row in item.rows for m in row.when]
            assert sorted(members, key=str) == sorted(kind, key=str), item.key

    @pytest.mark.parametrize("module", INSTRUMENTS)
    def test_spans_partition_their_domain(self, module: object) -> None:
        """Integer items (counts, KPS) have non-overlapping spans without gaps."""
        for item in module.ITEMS:  # type: ignore[attr-defined]
            spans = sorted((r.when for r in item.rows if isinstance(r.when, Span)),
                           key=lambda s: s.lo)
            for a, b in itertools.pairwise(spans):
                assert a.hi is not None and b.lo in (a.hi + 1, a.hi + 10), (item.key, a, b)

    @pytest.mark.parametrize("module", INSTRUMENTS)
    def test_bands_partition_the_range(self, module: object) -> None:
        """Bands cover the published range with no gap and no overlap."""
        bands = module.BANDS  # type: ignore[attr-defined]
        lo, hi = PUBLISHED_RANGE[module.ID]  # type: ignore[attr-defined]
        assert (lo, hi) == module.RANGE  # type: ignore[attr-defined]
        if module.ID in NO_BANDS:  # type: ignore[attr-defined]
            assert bands == ()
            return

        assert bands[0].lo == lo
        assert bands[-1].hi == hi
        for a, b in itertools.pairwise(bands):
            assert b.lo == a.hi + 1
        assert (lo, hi) == module.RANGE  # type: ignore[attr-defined]

    @pytest.mark.parametrize("module", INSTRUMENTS)
    def test_extreme_sums_equal_the_published_range(self, module: object) -> None:
        """The minimum and maximum sums of the items are the paper's stated range."""
        items = module.ITEMS  # type: ignore[attr-defined]

        key = module.ID  # type: ignore[attr-defined]
        assert ITEM_SUM_RANGE.get(key, PUBLISHED_RANGE[key]) == (
            sum(i.min_points for i in items),
            sum(i.max_points for i in items),
        )

    @pytest.mark.parametrize("module", INSTRUMENTS)
    def test_points_monotone_in_vocabulary_order(self, module: object) -> None:
        """Ordinal vocabularies run mild to severe; points follow the declared direction."""
        sign = 1 if module.HIGHER_IS_BETTER else -1  # type: ignore[attr-defined]
        ordinal = {spinemets.VisceralMetastases, spinemets.Frankel, spinemets.Pain,
                   spinemets.BoneLesion, spinemets.Alignment, spinemets.Collapse,
                   spinemets.Posterolateral, spinemets.TomitaGrowth, tomita.BoneMetastases}
        for item in module.ITEMS:  # type: ignore[attr-defined]
            kind = _enum_of(item)
            if kind not in ordinal:
                continue
            points = [item.row_for(m).points for m in kind]
            for a, b in itertools.pairwise(points):
                assert sign * (b - a) <= 0, (item.key, points)


class TestCitations:
    def _sources(self) -> list[citations.Source]:
        sources = [r.source for m in SUMMED for i in m.ITEMS for r in i.rows]
        sources += [b.source for m in SUMMED for b in m.BANDS]
        sources += [r.source for r in grid.RADIATION_GRID] + [r.source for r in
                                                               grid.STABILIZATION_GRID]
        sources += [r.source for r in escc.CLASSES] + [r.source for r in ECOG_TO_KPS]
        sources += [r.source for r in tomita.GROWTH_DEFAULTS]
        sources += [r.source for r in grid.RADIOSENSITIVITY_DEFAULTS]
        return sources

    def test_every_row_cites_a_registered_paper_with_an_evidence_tag(self) -> None:
        """Every table row's source is a registered citation with an evidence tag."""
        for source in self._sources():
            assert source.citation in ALL_CITATIONS
            assert isinstance(source.evidence, Evidence)
            assert source.locator

    def test_seed_rows_are_not_unverified(self) -> None:
        """Interchange §3.1: the seed scores' point rows raise no unverified_table."""
        for m in SUMMED:
            if m.ID not in SEED:
                continue
            for item in m.ITEMS:
                assert all(r.source.evidence is not Evidence.UNVERIFIED for r in item.rows)

    def test_dois_are_well_formed(self) -> None:
        """DOIs, where recorded, look like DOIs."""
        for c in ALL_CITATIONS:
            assert c.doi is None or re.fullmatch(r"10\.\d{4,9}/\S+", c.doi)


class TestPublicApi:
    def test_all_is_sorted_and_resolves(self) -> None:
        """``__all__`` is sorted (constants, classes, functions) and every name in it exists."""
        names = spinemets.__all__

        def key(n: str) -> tuple[bool, bool, str]:
            return (not n.isupper(), not n[0].isupper(), n)

        assert sorted(names, key=key) == names
        for name in spinemets.__all__:
            assert getattr(spinemets, name) is not None

    def test_import_is_light(self) -> None:
        """``import spinemets`` pulls in neither pandas nor numpy."""
        import subprocess
        import sys

        code = ("import sys, spinemets; "
                "print(sorted(m for m in ('pandas','numpy','polars') if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        assert out.stdout.strip() == "[]"
