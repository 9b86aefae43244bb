from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "shuzhi.analytics"
    verbose_name = "文本分析"

    def ready(self) -> None:
        from shuzhi.analytics.kinds import register_kinds

        register_kinds()
