"""What each audit action is called in Chinese: the audit log shows these names, never the codes.

The codes (`report.submit`) stay in the chain (they are hashed); a person reads the label. A new
`audit_record(action=...)` needs its label here: core/tests/test_audit_actions.py finds every
action written in the code and fails on one without a label.
"""

from django.utils.translation import gettext_lazy as _

# the states of a rectification item, as its history and the audit log name them
RECTIFICATION_STEPS = {
    "generate": _("生成整改事项"),
    "plan": _("制定整改方案"),
    "split": _("分解整改事项"),
    "start": _("开始整改"),
    "milestone": _("记录整改进展"),
    "request": _("申请销号"),
    "sign_off": _("审核销号"),
    "refuse": _("退回整改"),
    "reopen": _("重新打开"),
    "overdue": _("标记逾期"),
}

LABELS = {
    "auth.login": _("登录"),
    "auth.logout": _("退出登录"),
    "auth.login_failed": _("登录失败"),
    "auth.locked_out": _("账号锁定"),
    "user.create": _("新建用户"),
    "user.create_admin": _("新建管理员"),
    "user.update": _("修改用户"),
    "user.change_password": _("修改密码"),
    "user.reset_password": _("重置密码"),
    "user.unlock": _("解除锁定"),
    "security.update_policy": _("修改安全策略"),
    "org.create": _("新建党组织"),
    "org.update": _("修改党组织"),
    "orgs.import": _("导入党组织"),
    "orgs.export": _("导出党组织"),
    "member.create": _("新建党员"),
    "member.update": _("修改党员信息"),
    "member.reveal": _("查看党员完整个人信息"),
    "members.import": _("导入党员名册"),
    "members.import_refused_elsewhere": _("导入被拒：身份证号已在范围以外登记"),
    "audit.digest": _("下载审计签名摘要"),
    "keys.field_rotation": _("轮换字段加密密钥"),
    "members.export": _("导出党员名册"),
    "cycle.create": _("新建述职评议周期"),
    "cycle.update": _("修改述职评议周期"),
    "cycle.advance": _("推进周期阶段"),
    "cycle.reopen": _("重新打开周期"),
    "cycle.remind": _("催报"),
    "cycle.reporters_add": _("添加述职单位"),
    "cycle.reporter_update": _("修改述职单位"),
    "cycle.reporter_remove": _("移除述职单位"),
    "report.submit": _("提交述职报告"),
    "report.return": _("退回述职报告"),
    "report.accept": _("审核通过述职报告"),
    "report.attach": _("上传报告附件"),
    "report.detach": _("删除报告附件"),
    "report.import": _("从 Word 导入报告"),
    "meeting.create": _("新建评议会"),
    "meeting.update": _("修改评议会"),
    "meeting.class_add": _("添加投票人类别"),
    "meeting.class_remove": _("删除投票人类别"),
    "meeting.codes_issue": _("生成投票码"),
    "meeting.slips": _("打印投票凭条"),
    "meeting.open": _("开始投票"),
    "meeting.close": _("结束投票"),
    "meeting.paper_count": _("录入纸质票张数"),
    "meeting.paper_entry": _("录入纸质票"),
    "meeting.scrutineer_add": _("添加监票人"),
    "meeting.scrutineer_sign": _("监票人签字"),
    "meeting.tally": _("计票"),
    "meeting.comment": _("点评"),
    "score.set": _("录入考核得分"),
    "score.import": _("导入考核得分"),
    "score.adjust": _("加减分"),
    "score.adjust_remove": _("删除加减分"),
    "score.veto": _("记录否决情形"),
    "score.veto_remove": _("删除否决情形"),
    "assessment.compute": _("计算考核结果"),
    "assessment.publish": _("公示考核结果"),
    "assessment.objection": _("提出异议"),
    "assessment.objection_answer": _("答复异议"),
    "assessment.amend": _("更正考核结果"),
    "assessment.finalise": _("确定考核结果"),
    "bulletin.template_upload": _("上传通报模板"),
    "bulletin.template_reset": _("恢复默认通报模板"),
    **{f"rectification.{step}": label for step, label in RECTIFICATION_STEPS.items()},
    "rectification.check": _("整改督查"),
    "accountability.record": _("记录问责"),
    "analytics.cycle_check": _("雷同检查"),
    "analytics.template_add": _("添加范文"),
    "analytics.template_remove": _("删除范文"),
    "demo.generate_city": _("生成演示数据"),
}


def action_label(action: str) -> str:
    """The Chinese name of an audit action; one not (yet) named shows as 其他操作."""
    return str(LABELS.get(action, _("其他操作")))


def action_choices() -> list[tuple[str, str]]:
    """The actions for the audit log's filter, by their names."""
    return sorted(((code, str(label)) for code, label in LABELS.items()), key=lambda pair: pair[1])
