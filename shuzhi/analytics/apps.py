from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "shuzhi.analytics"
    verbose_name = "文本分析"
