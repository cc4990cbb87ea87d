# ruff: noqa: RUF001 - Chinese text is written with Chinese punctuation
"""The small city of the case tests, and hand-written complaints and replies."""

from __future__ import annotations

from tests.cases.conftest import city  # noqa: F401 - the fixture, shared with the case tests

ZH_COMPLAINT = "A3区枫林路路灯坏了一个月，晚上很黑，行人经常摔倒。请问什么时候能修好？"
ZH_GOOD = (
    "网友您好！您的留言已收悉。现将有关情况回复如下：经查，枫林路12号至20号路段共3盏路灯因地下"
    "电缆老化损坏。A3区城管局已于2026年6月3日安排维修班组更换电缆，6月4日路灯已全部恢复照明。"
    "由于该路段电缆铺设年代较早，根据《A市城市照明管理规定》第十二条，我局已将其纳入今年的"
    "改造计划，预计9月底前完成整条道路的线路更换。下一步我们将每周巡查一次，如仍有路灯不亮，"
    "您可拨打城管热线反映。感谢您对我们工作的支持！2026年6月5日"
)
ZH_WEAK = "网友您好！您的留言已收悉，感谢您对我们工作的支持与理解！2026年6月5日"
ZH_OFF_TOPIC = (
    "您好！关于小区停车收费问题，经核实，物业公司已按照业主大会决议调整停车费标准，"
    "业委会将于下月公示收费明细。感谢您的支持！"
)
EN_COMPLAINT = (
    "The streetlight in front of 5 Oak Street has been out for two weeks and the corner is "
    "dark at night. When will it be fixed?"
)
EN_GOOD = (
    "Dear resident, thank you for your report. Our street lighting crew inspected the "
    "streetlight at 5 Oak Street on June 3 and found a failed cable. We replaced the cable on "
    "June 4 and the light is working again. Because the cables on Oak Street are 40 years old, "
    "under the city's lighting standard the whole block is scheduled for rewiring next month. "
    "If the light goes out again, please call 311 and we will send a crew within 2 days."
)
EN_WEAK = "Thank you for contacting us. We have received your request. Regards, the City."
