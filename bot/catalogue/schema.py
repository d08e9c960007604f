"""Validation models for the catalogue files (see data/catalogue/SCHEMA.md)."""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, Extra, Field, constr, validator

from bot.text import normalize

HALL_TYPES = ("government_center", "exit_entry", "traffic", "housing_fund", "tax", "real_estate")
#: Ids of services imported from an official export (bot/catalogue/official/) begin with this;
#: each source (the YAML files, the import) replaces only its own services when it loads.
IMPORTED_ID_PREFIX = "sx-"
#: Ids of services staff created in the console (bot/catalogue/editing.py); neither the YAML
#: files nor an import replaces them.
CONSOLE_ID_PREFIX = "cs-"
#: Residents' example questions per service, and the longest one (issue 14: search reads them).
MAX_EXAMPLES = 50
MAX_EXAMPLE_CHARS = 60

# Constrained strings are calls, which mypy cannot read as types: to it they are plain str.
# Constrained lists and numbers are declared with Field(...), which pydantic turns into the same.
if TYPE_CHECKING:
    NonEmpty = str
    Slug = str
    Example = str
else:
    NonEmpty = constr(strip_whitespace=True, min_length=1, max_length=2000)
    Slug = constr(regex=r"^[a-z][a-z0-9-]{1,39}$")
    Example = constr(strip_whitespace=True, min_length=1, max_length=MAX_EXAMPLE_CHARS)


def _known_hall_type(cls, value: str) -> str:
    if value not in HALL_TYPES:
        raise ValueError(f"未知的大厅类型 {value!r}，可选：{', '.join(HALL_TYPES)}")
    return value


_EXAMPLE_NOISE = re.compile(r"[,?\s]")


def example_key(text: str) -> str:
    """What makes two example questions the same: normalised, punctuation and spaces left out
    (search reads words, so 社保卡怎么办？ and 社保卡怎么办 are one question)."""
    return _EXAMPLE_NOISE.sub("", normalize(text))


def _distinct_examples(cls, examples: list[str]) -> list[str]:
    """Two questions that read the same once normalised add nothing to search but weight."""
    seen: dict[str, str] = {}
    for example in examples:
        key = example_key(example)
        if not key:
            raise ValueError(f"例句“{example}”没有可识别的文字")
        if key in seen:
            raise ValueError(f"例句“{example}”与“{seen[key]}”重复")
        seen[key] = example
    return examples


class StrictModel(BaseModel):
    """Unknown fields are errors and text is stripped: a typo in a data file must not pass."""

    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class HallIn(StrictModel):
    type: str
    name: NonEmpty
    address: NonEmpty
    hours: NonEmpty
    phone: NonEmpty | None = None

    _known_type = validator("type", allow_reuse=True)(_known_hall_type)


class GeoPointIn(StrictModel):
    """WGS-84 decimal degrees."""

    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)


class DistrictIn(StrictModel):
    id: Slug
    name: NonEmpty
    aliases: list[NonEmpty] = []
    location: GeoPointIn  # approximate seat of the district government, for "nearest district"
    halls: list[HallIn] = Field(..., min_items=1)

    @validator("halls")
    def _every_type_once(cls, halls: list[HallIn]) -> list[HallIn]:
        types = [h.type for h in halls]
        missing = sorted(set(HALL_TYPES) - set(types))
        if missing:
            raise ValueError(f"缺少大厅类型：{', '.join(missing)}")
        if len(types) != len(set(types)):
            raise ValueError("同一类型的大厅重复")
        return halls


class HallsFile(StrictModel):
    version: str
    districts: list[DistrictIn] = Field(..., min_items=1)


class MaterialIn(StrictModel):
    name: NonEmpty
    note: NonEmpty | None = None
    required: bool = True


class OnlineIn(StrictModel):
    channel: NonEmpty
    how: NonEmpty


class FaqIn(StrictModel):
    q: NonEmpty
    a: NonEmpty


class ServiceIn(StrictModel):
    id: Slug
    name: NonEmpty
    department: NonEmpty
    aliases: list[NonEmpty] = Field(..., min_items=1, max_items=8)
    #: How residents ask about it, for service search; optional in the files, added in the console.
    examples: list[Example] = Field(default_factory=list, max_items=MAX_EXAMPLES)
    summary: NonEmpty
    eligibility: list[NonEmpty] = Field(..., min_items=1, max_items=8)
    materials: list[MaterialIn] = Field(..., min_items=1, max_items=15)
    steps: list[NonEmpty] = Field(..., min_items=1, max_items=10)
    time_limit: NonEmpty
    fee: NonEmpty
    needs_hall: bool
    hall_type: str
    hall_note: NonEmpty | None = None
    online: list[OnlineIn] = Field(..., min_items=1, max_items=6)
    faqs: list[FaqIn] = Field(..., min_items=1, max_items=6)
    related: list[Slug] = []
    source: NonEmpty
    updated: dt.date

    _known_type = validator("hall_type", allow_reuse=True)(_known_hall_type)
    _distinct = validator("examples", allow_reuse=True)(_distinct_examples)


class ServicesFile(StrictModel):
    version: str
    services: list[ServiceIn] = Field(..., min_items=1)
