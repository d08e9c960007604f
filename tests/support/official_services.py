"""The official list of services (data/catalogue/services.tsv): what the catalogue and the NLU must cover."""
from __future__ import annotations

import csv

from bot.config import PROJECT_ROOT

SERVICES_TSV = PROJECT_ROOT / "data" / "catalogue" / "services.tsv"


def official_services() -> list[dict]:
    """Rows of data/catalogue/services.tsv (id, name, department)."""
    with SERVICES_TSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))
