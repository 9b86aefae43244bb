"""The arithmetic of a meeting, over plain values: what a ballot must satisfy, which classes are
too small to show, and where two paper entries disagree (the counts and their rates are
core.grades.Counts)."""

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from shuzhi.core.grades import GRADES, Counts, Grade


def good_limit(reporters: int, max_count: int | None, max_percent: int | None) -> int | None:
    """How many 好 one ballot may give, or None for no limit (the stricter rule wins)."""
    limits = []
    if max_count is not None:
        limits.append(max_count)
    if max_percent is not None:
        limits.append(reporters * max_percent // 100)
    return min(limits) if limits else None


def ballot_problems(
    grades: Mapping[int, str],
    *,
    agenda: Sequence[int],
    names: Mapping[int, str],
    max_good_count: int | None = None,
    max_good_percent: int | None = None,
    items: int = 0,
    item_max: int = 10,
    scores: Mapping[int, Sequence[object]] | None = None,
) -> list[str]:
    """What is wrong with a ballot, in Chinese, or nothing. `grades`: reporter id → grade."""
    problems = []
    strangers = set(grades) - set(agenda)
    if strangers:
        problems.append(_("选票中有不属于本次会议的测评对象。"))
    missing = [names.get(r, str(r)) for r in agenda if r not in grades]
    if missing:
        problems.append(
            _("还有 %(n)d 位没有评价：%(names)s。")
            % {"n": len(missing), "names": "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")}
        )
    unknown = [r for r, g in grades.items() if g not in GRADES]
    if unknown:
        problems.append(_("评价等次只能是 好、较好、一般、差。"))
    limit = good_limit(len(agenda), max_good_count, max_good_percent)
    good = sum(1 for g in grades.values() if g == Grade.GOOD)
    if limit is not None and good > limit:
        problems.append(
            _("“好”最多只能评 %(limit)d 个，现在评了 %(good)d 个。") % {"limit": limit, "good": good}
        )
    if items:
        for reporter in agenda:
            values = (scores or {}).get(reporter)
            if values is None or len(values) != items:
                problems.append(
                    _("请为%(name)s填写全部 %(n)d 个测评项目。")
                    % {"name": names.get(reporter, str(reporter)), "n": items}
                )
                break
            if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= item_max for v in values):
                problems.append(_("测评项目得分应为 0 到 %(max)d 的整数。") % {"max": item_max})
                break
    return problems


def shown_classes(ballots_per_class: Mapping[int, int], minimum: int) -> set[int]:
    """The classes whose breakdown may be shown: at least `minimum` ballots, so that a small
    group's votes cannot be inferred. The total is shown too, so one small class hidden alone
    would be the total less the others: then the next smallest class is hidden with it."""
    shown = {cls for cls, n in ballots_per_class.items() if n >= minimum}
    hidden = [cls for cls, n in ballots_per_class.items() if 0 < n < minimum]  # an empty class tells nothing
    if len(hidden) == 1 and shown:
        shown.discard(min(shown, key=lambda cls: (ballots_per_class[cls], cls)))
    return shown


def paper_differences(first: Mapping[tuple, Counts], second: Mapping[tuple, Counts]) -> list[tuple]:
    """Keys (class, reporter) where the two entries of a paper count disagree or one is missing."""
    return sorted(key for key in set(first) | set(second) if first.get(key) != second.get(key))


def paper_count_problems(*, issued: int, returned: int, valid: int, invalid: int) -> list[str]:
    problems = []
    if returned > issued:
        problems.append(_("收回票数不能多于发出票数。"))
    if valid + invalid != returned:
        problems.append(
            _("有效票与无效票之和应等于收回票数（%(v)d + %(i)d ≠ %(r)d）。")
            % {"v": valid, "i": invalid, "r": returned}
        )
    return problems


def ballot_faults(
    grades: Mapping[int, str],
    *,
    agenda: Sequence[int],
    max_good_count: int | None = None,
    max_good_percent: int | None = None,
    items: int = 0,
    item_max: int = 10,
    scores: Mapping[int, Sequence[object]] | None = None,
    suggestion: str = "",
) -> dict[str, str]:
    """The fields of a ballot sent back that are at fault, by the phone form's field names
    (grade_<reporter>, score_<reporter>_<item>, suggestion), each with a short Chinese reason; the
    whole ballot's messages are `ballot_problems`."""
    faults: dict[str, str] = {}
    limit = good_limit(len(agenda), max_good_count, max_good_percent)
    too_many_good = limit is not None and sum(1 for g in grades.values() if g == Grade.GOOD) > limit
    for reporter in agenda:
        grade = grades.get(reporter)
        if grade is None:
            faults[f"grade_{reporter}"] = _("请选择等次。")
        elif grade not in GRADES:
            faults[f"grade_{reporter}"] = _("等次只能是 好、较好、一般、差。")
        elif too_many_good and grade == Grade.GOOD:
            faults[f"grade_{reporter}"] = _("“好”最多只能评 %(limit)d 个。") % {"limit": limit}
        values = list((scores or {}).get(reporter) or [])
        for item in range(items):
            value = values[item] if item < len(values) else ""
            if value == "" or value is None:
                faults[f"score_{reporter}_{item}"] = _("请填写得分。")
            elif not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= item_max):
                faults[f"score_{reporter}_{item}"] = _("应为 0 到 %(max)d 的整数。") % {"max": item_max}
    if len(suggestion) > 500:
        faults["suggestion"] = _("意见建议请控制在 500 字以内（现在 %(n)d 字）。") % {"n": len(suggestion)}
    return faults
