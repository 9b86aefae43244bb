from shuzhi.exchange.management.commands._import import ImportCommand
from shuzhi.exchange.models import ExchangeJob


class Command(ImportCommand):
    help = "从 .xlsx 导入党组织（表头见模板）；任何一行有错就不导入，并给出错误报告。"
    kind = ExchangeJob.Kind.ORGANIZATIONS
