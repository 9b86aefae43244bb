import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuzhi.analytics import copies


class Command(BaseCommand):
    help = "在目录中的 .txt 文本之间查找雷同段落（与页面同一检测方法），每段一行 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="包含 *.txt（UTF-8）的目录")
        parser.add_argument("--json", action="store_true", help="每个雷同段落输出一行 JSON")

    def handle(self, *args, **options):
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"目录不存在：{directory}")
        texts = []
        for path in sorted(directory.glob("*.txt")):
            try:
                # decoded as it is, line ends included: the offsets count the file's own characters
                content = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError as error:
                raise CommandError(f"{path.name} 不是 UTF-8 文本：{error}") from error
            texts.append(copies.prepare(path.name, content))
        for finding in copies.find_all(texts):
            if options["json"]:
                line = {
                    "doc": finding.doc,
                    "start": finding.start,
                    "end": finding.end,
                    "source": finding.source,
                    "source_start": finding.source_start,
                    "source_end": finding.source_end,
                }
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            else:
                self.stdout.write(
                    f"{finding.doc}[{finding.start}:{finding.end}] ← {finding.source}"
                    f"[{finding.source_start}:{finding.source_end}] 相似度 {finding.closeness:.0%}"
                )
