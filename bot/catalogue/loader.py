"""Load the catalogue files into the database, all or nothing.

Every file is parsed and validated before anything is written; the write replaces the
whole catalogue in one transaction, so a bad file leaves the database as it was.

Services imported from an official export (ids beginning ``sx-``, bot/catalogue/official/)
are a second source beside the YAML files: loading the YAML files keeps them, and an
import replaces only them (``replace_imported_services``). Services staff created in the
console (ids beginning ``cs-``, bot/catalogue/editing.py) are a third: neither replaces them.

Staff may also edit a YAML or imported service in the console. The next load of its source
overwrites those edits, all but the example questions: a service's examples are collected
from residents over time (the inbox), so the ones in the database are kept after those the
source gives (:func:`merged_examples`). A YAML service deleted in the console comes back.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError
from sqlalchemy import delete, not_, or_, select
from sqlalchemy.orm import Session

from bot.catalogue.models import District, DistrictLocation, Hall, Service
from bot.catalogue.schema import (
    CONSOLE_ID_PREFIX,
    IMPORTED_ID_PREFIX,
    MAX_EXAMPLES,
    DistrictIn,
    HallsFile,
    ServiceIn,
    ServicesFile,
    example_key,
)

#: Id prefixes no YAML service may use: each belongs to another source.
RESERVED_PREFIXES = {IMPORTED_ID_PREFIX: "imported", CONSOLE_ID_PREFIX: "console-made"}


class CatalogueError(ValueError):
    """A catalogue file is invalid: names the file, the record and the reason."""

    def __init__(self, file: Path | str, record: str, reason: str) -> None:
        self.file, self.record, self.reason = str(file), record, reason
        super().__init__(f"{file}: {record}: {reason}")


@dataclass(frozen=True)
class Catalogue:
    districts: list[DistrictIn]
    services: list[ServiceIn]


def _read_yaml(path: Path) -> object:
    try:
        # libyaml's safe loader when PyYAML has it (same documents, several times faster).
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogueError(path, "(file)", f"cannot read YAML: {exc}") from exc


def _record_label(raw: object, key: str, loc: tuple) -> str:
    """'services[3] (id=hf-rent)' for the record an error location points into."""
    if len(loc) >= 2 and loc[0] == key and isinstance(loc[1], int):
        label = f"{key}[{loc[1]}]"
        try:
            item = raw[key][loc[1]]  # type: ignore[index]
            if isinstance(item, dict) and item.get("id"):
                label += f" (id={item['id']})"
        except (KeyError, IndexError, TypeError):
            pass
        return label
    return "(file)"


def _validate(path: Path, model, key: str):
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise CatalogueError(path, "(file)", "expected a mapping at the top level")
    try:
        return model.parse_obj(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc[2:]) or ".".join(str(p) for p in loc)
        raise CatalogueError(path, _record_label(raw, key, loc), f"{field}: {err['msg']}") from exc


def read_catalogue(directory: Path) -> Catalogue:
    """Parse and cross-check every catalogue file under ``directory``."""
    halls_path = directory / "halls.yml"
    districts = _validate(halls_path, HallsFile, "districts").districts
    _check_unique(halls_path, "districts", [d.id for d in districts], "id")
    _check_unique(halls_path, "districts", [d.name for d in districts], "name")

    services: list[ServiceIn] = []
    origin: dict[str, Path] = {}
    seen: dict[tuple[str, str], ServiceIn] = {}  # ("id" | "name", value) → the service that has it
    service_files = sorted((directory / "services").glob("*.yml"))
    if not service_files:
        raise CatalogueError(directory / "services", "(folder)", "no service files")
    for path in service_files:
        for index, service in enumerate(_validate(path, ServicesFile, "services").services):
            for prefix, owner in RESERVED_PREFIXES.items():
                if service.id.startswith(prefix):
                    raise CatalogueError(path, f"services[{index}] (id={service.id})",
                                         f"ids beginning {prefix!r} are reserved for {owner} services")
            for attr in ("id", "name"):
                other = seen.get((attr, getattr(service, attr)))
                if other is not None:
                    raise CatalogueError(
                        path, f"services[{index}] (id={service.id})",
                        f"duplicate {attr} {getattr(service, attr)!r} (also in {origin[other.id].name})",
                    )
            seen[("id", service.id)] = seen[("name", service.name)] = service
            services.append(service)
            origin[service.id] = path
    known = {s.id for s in services}
    for service in services:
        unknown = [r for r in service.related if r not in known]
        if unknown:
            raise CatalogueError(origin[service.id], f"service {service.id}", f"related: unknown ids {unknown}")
    return Catalogue(districts=districts, services=services)


def _check_unique(path: Path, key: str, values: Iterable[str], attr: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise CatalogueError(path, f"{key}[{index}]", f"duplicate {attr} {value!r}")
        seen.add(value)


def _imported():
    return Service.id.startswith(IMPORTED_ID_PREFIX, autoescape=True)


def _console_made():
    return Service.id.startswith(CONSOLE_ID_PREFIX, autoescape=True)


def _from_yaml():
    return not_(or_(_imported(), _console_made()))


def merged_examples(own: Iterable[str], kept: Iterable[str] = ()) -> list[str]:
    """The source's examples, then the database's it lacks (schema.example_key), at most MAX_EXAMPLES."""
    merged: dict[str, str] = {}
    for example in (*own, *kept):
        merged.setdefault(example_key(example), example)
    return list(merged.values())[:MAX_EXAMPLES]


def service_row(service: ServiceIn, kept_examples: Iterable[str] = ()) -> Service:
    """The table row of a validated service; ``kept_examples``: the examples its row had before."""
    return Service(**service.dict(exclude={"materials", "online", "faqs", "examples"}),
                   examples=merged_examples(service.examples, kept_examples),
                   materials=[m.dict() for m in service.materials],
                   online=[o.dict() for o in service.online],
                   faqs=[f.dict() for f in service.faqs])


def _examples_of(session: Session, where) -> dict[str, list[str]]:
    return {sid: list(examples or []) for sid, examples in
            session.execute(select(Service.id, Service.examples).where(where))}


def write_catalogue(session: Session, catalogue: Catalogue) -> None:
    """Replace the halls and the YAML services; imported and console-made services stay, and so
    do the examples of the replaced services (module docstring). The caller owns the transaction."""
    session.execute(delete(Hall))
    session.execute(delete(DistrictLocation))
    session.execute(delete(District))
    kept = _examples_of(session, _from_yaml())
    session.execute(delete(Service).where(_from_yaml()).execution_options(synchronize_session=False))
    for position, d in enumerate(catalogue.districts):
        session.add(District(id=d.id, name=d.name, aliases=list(d.aliases), position=f"{position:04d}"))
        session.add(DistrictLocation(district_id=d.id, latitude=d.location.lat, longitude=d.location.lng))
        for h in d.halls:
            session.add(Hall(id=f"{d.id}:{h.type}", district_id=d.id, hall_type=h.type,
                             name=h.name, address=h.address, hours=h.hours, phone=h.phone))
    for s in catalogue.services:
        session.add(service_row(s, kept.get(s.id, ())))


def replace_imported_services(session: Session, services: Iterable[ServiceIn]) -> None:
    """Replace the imported services (and only them), keeping their examples. The caller owns the transaction."""
    kept = _examples_of(session, _imported())
    session.execute(delete(Service).where(_imported()).execution_options(synchronize_session=False))
    for s in services:
        session.add(service_row(s, kept.get(s.id, ())))


def _check_against_other_sources(session: Session, directory: Path, catalogue: Catalogue) -> None:
    """A YAML service may not take the name of an imported or console-made one (names are unique)."""
    others = dict(session.execute(select(Service.name, Service.id).where(not_(_from_yaml()))).all())
    for service in catalogue.services:
        other = others.get(service.name)
        if other is not None:
            how = "imported" if other.startswith(IMPORTED_ID_PREFIX) else "made in the console"
            raise CatalogueError(directory / "services", f"service {service.id}",
                                 f"duplicate name {service.name!r} (also {how} as {other})")


def load_catalogue(session_factory, directory: Path) -> Catalogue:
    """Validate ``directory`` and, only if all of it is valid, replace the database content."""
    catalogue = read_catalogue(directory)
    with session_factory.begin() as session:
        _check_against_other_sources(session, directory, catalogue)
        write_catalogue(session, catalogue)
    return catalogue
