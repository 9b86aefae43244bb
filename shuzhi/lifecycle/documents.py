"""The introduction letter of a transfer (中国共产党党员组织关系介绍信) as .docx, in the house layout."""

from shuzhi.core import documents
from shuzhi.lifecycle.models import Transfer


def transfer_letter(transfer: Transfer) -> bytes:
    member = transfer.member
    to = transfer.to_org.name if transfer.to_org_id else transfer.destination
    document = documents.new_document(title="中国共产党党员组织关系介绍信", subject=transfer.letter_number)
    documents.title_block(document, "中国共产党党员组织关系介绍信", f"编号：{transfer.letter_number}")
    documents.line(document, f"{to}：", indent=False)
    status = member.get_status_display()
    documents.line(document, (
        f"{member.name}同志（{member.get_gender_display()}，{member.age}岁，{member.get_ethnicity_display()}），"
        f"系中共{status}，身份证号码{member.id_number_masked}，由{transfer.from_org.name}转到{to}，"
        f"请转接组织关系。"
    ))  # fmt: skip
    documents.line(document, f"转接原因：{transfer.reason}")
    documents.line(document, f"（有效期至{documents.chinese_date(transfer.valid_until)}）", indent=False)
    documents.signature(document, transfer.from_org.name, documents.chinese_date(transfer.sent_on))
    return documents.save(document)
