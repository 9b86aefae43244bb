"""`manage.py check --deploy`: the keys and the audit anchors belong apart from the data."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Warning


def keys_apart_from_data(app_configs, **kwargs):
    data = Path(settings.DATA_DIR).resolve()
    warnings = []
    if Path(settings.SECRETS_FILE).resolve().is_relative_to(data):
        warnings.append(
            Warning(
                "密钥文件在数据目录之内：数据目录（或其备份）一旦外泄，加密的个人信息也随之可读。",
                hint="用 SHUZHI_SECRETS_FILE 把密钥文件放到数据目录之外（另一磁盘或另行备份）。",
                id="shuzhi.W001",
            )
        )
    if Path(settings.AUDIT_ANCHOR_DIR).resolve().is_relative_to(data):
        warnings.append(
            Warning(
                "审计锚点目录在数据目录之内：能改写数据的人也能改写锚点。",
                hint="用 SHUZHI_AUDIT_ANCHOR_DIR 指向数据目录之外、最好只能追加的目录。",
                id="shuzhi.W002",
            )
        )
    return warnings
