"""Pin requirements.txt and requirements-dev.txt from what this interpreter has installed.

requirements.txt gets everything requirements.in pulls in (the run-time closure);
requirements-dev.txt gets ``-r requirements.txt`` and what requirements-dev.in adds on top.
``pip freeze`` alone cannot tell the two apart, so the closures are walked here through the
installed packages' metadata. Fails when a declared package is not installed.

Usage: python scripts/lock.py   (make lock)
"""
from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
#: Installed by the Makefile with their own pins; pip freeze leaves them out too.
BOOTSTRAP = {"pip", "setuptools", "wheel", "distribute"}


def declared(path: Path) -> list[Requirement]:
    """The requirements of a .in file, following ``-r other.in``."""
    out: list[Requirement] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            out += declared(path.parent / line[3:].strip())
        elif line:
            out.append(Requirement(line))
    return out


def closure(roots: list[Requirement]) -> dict[str, metadata.Distribution]:
    """Canonical name → installed distribution, for the roots and all they require."""
    found: dict[str, metadata.Distribution] = {}
    todo = [(root, frozenset(root.extras)) for root in roots]
    seen: set[tuple[str, frozenset]] = set()
    while todo:
        requirement, extras = todo.pop()
        name = canonicalize_name(requirement.name)
        if (name, extras) in seen or name in BOOTSTRAP:
            continue
        seen.add((name, extras))
        try:
            dist = found.get(name) or metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{requirement.name} is declared (or required) but not installed")
        found[name] = dist
        for text in dist.requires or []:
            child = Requirement(text)
            wanted = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if child.marker is None or any(child.marker.evaluate(env) for env in wanted):
                todo.append((child, frozenset(child.extras)))
    return found


def pins(dists: dict[str, metadata.Distribution]) -> list[str]:
    return [f"{dist.metadata['Name']}=={dist.version}"
            for _, dist in sorted(dists.items(), key=lambda item: item[1].metadata["Name"].lower())]


def main() -> None:
    runtime = closure(declared(ROOT / "requirements.in"))
    dev = closure(declared(ROOT / "requirements-dev.in"))
    only_dev = {name: dist for name, dist in dev.items() if name not in runtime}
    (ROOT / "requirements.txt").write_text("\n".join(pins(runtime)) + "\n", encoding="utf-8")
    (ROOT / "requirements-dev.txt").write_text(
        "\n".join(["-r requirements.txt", *pins(only_dev)]) + "\n", encoding="utf-8")
    print(f"requirements.txt: {len(runtime)} pins; requirements-dev.txt: {len(only_dev)} more")


if __name__ == "__main__":
    main()
