"""The guarded stack (tests/security/guarded.py): small limits, a REST token, a trusted local proxy."""
from __future__ import annotations

import pytest

from tests.security.guarded import ADMIN_TOKEN, LIMITS, REST_TOKEN


@pytest.fixture(scope="session")
def guarded_stack(tmp_path_factory, catalogue_db_url, wechat_api):
    from bot.stack import running_stack
    from tests.support.servers import all_channels, trained_model

    env = {"TRUSTED_PROXIES": "127.0.0.1", "REST_TOKEN": REST_TOKEN, **LIMITS}
    with running_stack(tmp_path_factory.mktemp("guarded"), trained_model(), catalogue_db_url,
                       credentials=all_channels(wechat_api.base), extra_env=env, api_token=ADMIN_TOKEN) as running:
        yield running
