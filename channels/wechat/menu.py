"""The custom menu: read and check menu.yml, map click keys to payloads, build WeChat's JSON."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import Field, constr, validator

from bot.catalogue.schema import StrictModel

# Constrained strings are calls, which mypy cannot read as types: to it they are plain str.
# Constrained lists are declared with Field(...), which pydantic turns into the same.
if TYPE_CHECKING:
    _KEY = str
    _PAYLOAD = str
else:
    _KEY = constr(regex=r"^[A-Z][A-Z0-9_]{0,63}$")
    _PAYLOAD = constr(strip_whitespace=True, min_length=1, max_length=200)


def _within_bytes(limit: int):
    def check(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("名称不能为空")
        if len(value.encode("utf-8")) > limit:
            raise ValueError(f"“{value}”超过微信的 {limit} 字节限制")
        return value
    return check


class MenuItem(StrictModel):
    name: str
    key: _KEY
    payload: _PAYLOAD

    _name_len = validator("name", allow_reuse=True)(_within_bytes(60))


class TopButton(StrictModel):
    name: str
    sub_buttons: list[MenuItem] = Field(..., min_items=1, max_items=5)

    _name_len = validator("name", allow_reuse=True)(_within_bytes(16))


class Menu(StrictModel):
    menu: list[TopButton] = Field(..., min_items=1, max_items=3)

    @validator("menu")
    def _unique_keys(cls, buttons: list[TopButton]) -> list[TopButton]:
        keys = [item.key for b in buttons for item in b.sub_buttons]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"菜单 key 重复：{', '.join(duplicates)}")
        return buttons

    def payloads(self) -> dict[str, str]:
        """EventKey → what the click says to the assistant."""
        return {item.key: item.payload for b in self.menu for item in b.sub_buttons}

    def wechat_json(self) -> dict:
        """The body of WeChat's menu/create API."""
        return {"button": [
            {"name": b.name,
             "sub_button": [{"type": "click", "name": i.name, "key": i.key} for i in b.sub_buttons]}
            for b in self.menu
        ]}


def load_menu(path: Path) -> Menu:
    """Parse and validate the menu file (pydantic ValidationError names the bad entry)."""
    with Path(path).open(encoding="utf-8") as handle:
        return Menu.parse_obj(yaml.safe_load(handle) or {})
