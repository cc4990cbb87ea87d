# ruff: noqa: RUF001 - Chinese punctuation in the patterns is meant
"""Cue lexicons, Chinese and English, that the reply scorer looks for (regular expressions).

Each cue group names one thing a good official reply does: says what was done, by whom and when,
gives its reasons, its basis in rules, the next steps. They were written by hand from the way
12345 / 311 replies are phrased; changing any of them changes ``scorer.VERSION``.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE

# Courtesy and acknowledgement sentences carry no substance; they are left out of every cue
# count so a reply cannot look complete by thanking the resident.
COURTESY = {
    "zh": re.compile(
        r"您好|你好|收悉|已收到|回复如下|答复如下|说明如下|感谢|谢谢|支持与理解|理解与支持|"
        r"监督与支持|关心与支持|支持、理解|^(网友|市民|尊敬的)[^，,。]{0,16}$"
    ),
    "en": re.compile(
        r"^(dear|hello|hi)\b|thank(s| you)|we (have )?received your|sincerely|kind regards|"
        r"best regards|^regards|we appreciate",
        _FLAGS,
    ),
}

# What was done: inspections, orders, repairs, decisions.
ACTION = {
    "zh": re.compile(
        r"经查|经调查|经核查|经核实|调查核实|核查|现场|实地|已(经)?(安排|责令|要求|督促|组织|"
        r"完成|处理|整改|清理|维修|修复|拆除|查处|立案|办理|协调|联系|告知|约谈|下发|开展|派|"
        r"落实|启动|纳入|处罚|取缔|清除|恢复|更换|安装|制止|移交|转交|部署|召开|发放|解决|开通|"
        r"建成|批复|审批|停止|暂停)|责令|约谈|查处|处罚|整改|维修|修复|清理|拆除|立案|督促|"
        r"协调|正在|将于|已于"
    ),
    "en": re.compile(
        r"\b(inspect|investigat|repair|fix|remov|clean|replac|install|issu|dispatch|visit|"
        r"contact|schedul|complet|resolv|fill|patch|tow|cit|fin|order|assign|refer|"
        r"forward|approv|deni|restor|trim|collect|clear|abat|post|sent|checked|found)"
        r"(ed|ing|s|e)?\b|\bhas been\b|\bhave been\b|\bwas (done|sent|carried)",
        _FLAGS,
    ),
}

# By whom: a named unit of government or a contractor.
ACTOR = {
    "zh": re.compile(
        r"[局委办厅院处所队站组]|街道|社区|中心|公司|政府|部门|物业|工作人员|执法|城管|"
        r"管理处|村委|居委|民警|支队|中队|大队|分局"
    ),
    "en": re.compile(
        r"\b(department|dept|office|crew|team|staff|inspector|officer|agency|bureau|"
        r"division|contractor|police|sanitation|public works|council|unit|engineer|"
        r"technician|supervisor|we|our)\b",
        _FLAGS,
    ),
}

# When: dates and time expressions (the reply's own sign-off date is removed before this).
WHEN = {
    "zh": re.compile(
        r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*月(份|底|初|中旬|上旬|下旬)|"
        r"今年|明年|去年|年底|年内|月底|上旬|中旬|下旬|近日|近期|日前|当天|当日|次日|本周|"
        r"下周|\d+\s*个?(工作日|天|日|周|月)内|预计|计划于|[一二三四五六七八九十两]个?(工作日|"
        r"天|日|周|月)内|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    ),
    "en": re.compile(
        r"\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
        r"sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\.? \d{1,2}\b|"
        r"\b\d{1,2}/\d{1,2}(/\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b|\b(today|tomorrow|yesterday|"
        r"tonight|this (morning|afternoon|week|month)|next (week|month)|last (week|month)|"
        r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
        r"\bwithin \w+ (hours?|days?|weeks?|months?)\b|\bby the end of\b|\bon \d{1,2}\b",
        _FLAGS,
    ),
}

# Why: reasons and their consequences.
REASON = {
    "zh": re.compile(
        r"因为|由于|原因|因此|所以|鉴于|导致|造成|因该|是因|之所以|因[^此为]{1,12}[，,]|故"
    ),
    "en": re.compile(
        r"\b(because|since|due to|as a result|therefore|so that|caused by|the reason|"
        r"owing to|consequently|this means)\b",
        _FLAGS,
    ),
}

# On what basis: laws, regulations, policies, standards, plans.
BASIS = {
    "zh": re.compile(
        r"根据|依据|按照|依照|遵照|《[^》]{2,60}》|第[一二三四五六七八九十百零\d]+条|规定|条例|"
        r"办法|法律|法规|政策|文件|标准|规划|规范|细则|通知"
    ),
    "en": re.compile(
        r"\b(according to|under (section|the)|pursuant to|regulations?|ordinances?|"
        r"code|laws?|polic(y|ies)|rules?|statutes?|standards?|permits?|section \d+|"
        r"guidelines?|requirements?)\b",
        _FLAGS,
    ),
}

# What next: further steps, and what the resident can do.
NEXT_STEP = {
    "zh": re.compile(
        r"下一步|后续|继续|将[^军]|待|预计|计划|如有疑问|如有异议|可咨询|可拨打|可致电|可向|"
        r"联系电话|请您|建议您|您可|可通过|可持|申请|复议|诉讼"
    ),
    "en": re.compile(
        r"\b(will|next|plan(ned)?|follow[- ]up|if you|please (call|contact|submit|visit|"
        r"email|apply)|you (can|may|could)|we recommend|appeal|apply)\b",
        _FLAGS,
    ),
}

# A number with a unit or a quantity: a specific fact (money, length, count, percentage).
SPECIFIC = {
    "zh": re.compile(
        r"\d+(\.\d+)?\s*(%|％|元|万|亿|米|公里|平方|亩|户|人|台|辆|个|家|次|条|处|吨|小时|分钟|"
        r"天|号|栋|层|班|期)"
    ),
    "en": re.compile(
        r"\$\s?\d|\b\d+(\.\d+)?\s*(%|percent|dollars|feet|ft|miles?|meters?|m|km|hours?|"
        r"minutes?|days?|units?|trees?|cars?|vehicles?|people|households?|blocks?|lbs?)\b",
        _FLAGS,
    ),
}

# Questions in the complaint, by the kind of answer they want.
QUESTION = {
    "zh": {
        "when": re.compile(r"何时|什么时候|多久|哪天|几时|多长时间|啥时候"),
        "why": re.compile(r"为什么|为何|凭什么|什么原因|怎么回事"),
        "how": re.compile(r"如何|怎样|怎么办|怎么(办理|申请|处理)|哪里|在哪|去哪"),
        "yes_no": re.compile(r"是否|能否|可否|能不能|是不是|有没有|可不可以|会不会|[吗么][？?]|吗"),
        "how_much": re.compile(r"多少|几个|多大"),
    },
    "en": {
        "when": re.compile(r"\bwhen\b|\bhow long\b|\bwhat time\b", _FLAGS),
        "why": re.compile(r"\bwhy\b|\bwhat is the reason\b", _FLAGS),
        "how": re.compile(r"\bhow (do|can|should|to)\b|\bwhere\b", _FLAGS),
        "yes_no": re.compile(
            r"\b(is|are|can|could|will|would|do|does|should|may)\b[^.?!]{0,80}\?", _FLAGS
        ),
        "how_much": re.compile(r"\bhow (much|many)\b", _FLAGS),
    },
}

# A yes / no verdict in a reply.
VERDICT = {
    "zh": re.compile(
        r"可以|不可以|不能|能够|不得|符合|不符合|属于|不属于|没有|不存在|存在|允许|不允许|"
        r"暂不|尚未|已经|已|无法|不予|同意|不同意|确认|属实|不属实|是"
    ),
    "en": re.compile(
        r"\b(yes|no|not|cannot|can't|can|will|won't|eligible|allowed|permitted|approved|"
        r"denied|is|are|does|doesn't)\b",
        _FLAGS,
    ),
}
