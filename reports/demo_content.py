# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""What the generated demo history says: topics a shop's customers write about, with the agent's
replies and the visitor's answers that belong to each, and rating comments that agree with the
score. Kept apart from the generator so that the text can grow without the mechanics changing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST_NAMES = [
    "Ana", "Ben", "Chen", "Dana", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lea", "Mia",
    "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wei", "Yara", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Silva", "Okafor", "Li", "Novak", "Schmidt", "Haddad", "Kowalski", "Tanaka", "Petrov", "Wang",
    "Mensah", "Dubois", "Rossi", "Garcia", "Larsen", "Sharma", "Murphy", "Costa", "Cohen", "Zhang",
]  # fmt: skip
CHINESE_NAMES = ["王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强"]


@dataclass(frozen=True)
class Topic:
    questions: tuple[str, ...]
    replies: tuple[str, ...]  # the agent's replies, in the order a conversation uses them
    follow_ups: tuple[str, ...]  # what the visitor says between replies
    weight: int
    handle_minutes: float  # typical time to resolve once an agent is on it


TOPICS_EN = [
    Topic(
        (
            "Where is my order? It's been a week.",
            "hi, my parcel hasn't arrived yet, order 48213",
            "Tracking says delivered but nothing is here",
        ),
        (
            "Let me look that up for you.",
            "I can see it left our warehouse on Tuesday; the carrier shows a delay.",
            "I've opened a trace with the carrier and will email you as soon as they answer.",
        ),
        ("ok thanks", "The order number is 48213.", "Can you send me the tracking link?"),
        9,
        8,
    ),
    Topic(
        ("I was charged twice for the same order.", "there are two payments on my card for one purchase"),
        (
            "Sorry about that, let me check the payments.",
            "The second one is a card pre-authorisation; it drops off within 3-5 working days.",
            "I've asked the bank to release it now, so it should be gone sooner.",
        ),
        ("It's the Visa ending 4421.", "ok, good to know", "Thanks for sorting it out."),
        5,
        10,
    ),
    Topic(
        ("How do I return a jacket that doesn't fit?", "I want to send back shoes, they're too small"),
        (
            "Happy to help with the return.",
            "I've emailed you a prepaid return label.",
            "Once it reaches us, the refund goes back to your card within 5 days.",
        ),
        ("Great, do I need the original box?", "Got the label, thanks.", "perfect"),
        8,
        6,
    ),
    Topic(
        ("Can I change the delivery address? I just ordered.", "wrong address on my order!! please help"),
        (
            "Let me catch it before it ships.",
            "Done: the new address is on the order.",
            "You'll get an updated confirmation email in a minute.",
        ),
        ("It should go to 12 Harbour Street instead.", "Thank you so much"),
        4,
        4,
    ),
    Topic(
        ("Do you have the blue backpack back in stock soon?", "when will size M be available again"),
        (
            "Let me check with the warehouse.",
            "It's expected back on the 14th.",
            "I can set up a back-in-stock email for you if you like.",
        ),
        ("Yes please.", "ok I'll wait"),
        4,
        5,
    ),
    Topic(
        (
            "I can't log in to my account, password reset email never comes.",
            "the app keeps saying my password is wrong",
        ),
        (
            "Sorry for the trouble, let me check your account.",
            "The reset emails were going to an old address; I've updated it.",
            "Try the reset link again now, it should arrive within a minute.",
        ),
        ("It's the email I'm writing from.", "Got it, I'm in. Thanks!"),
        5,
        7,
    ),
    Topic(
        ("Can I get an invoice with my company name on it?", "need a VAT invoice for order 50117"),
        (
            "Of course. What company name and VAT number should be on it?",
            "Here it is: I've emailed the invoice as a PDF.",
        ),
        ("Northwind Ltd, VAT GB123456789", "Received, thanks."),
        3,
        5,
    ),
    Topic(
        ("My discount code doesn't work at checkout.", "code SPRING15 says expired but the email says today"),
        (
            "Let me check the code.",
            "It had ended at midnight UTC by mistake; I've extended it.",
            "Try it again now, it should apply at checkout.",
        ),
        ("still not working", "Now it works, thanks!"),
        4,
        6,
    ),
]

TOPICS_ZH = [
    Topic(
        ("我的订单一周了还没到", "你好，包裹显示已签收但我没收到"),
        (
            "我来帮您查一下。",
            "快递显示周二已从仓库发出，目前有延误。",
            "我已经向快递公司发起查询，有结果会邮件通知您。",
        ),
        ("好的谢谢", "订单号是 48213"),
        3,
        8,
    ),
    Topic(
        ("怎么退货？衣服尺码不合适", "鞋子小了想退"),
        ("可以的，我来帮您办理退货。", "预付费退货标签已发到您的邮箱。", "我们收到商品后 5 天内退款到原支付方式。"),
        ("需要原包装吗？", "收到了，谢谢"),
        2,
        6,
    ),
    Topic(
        ("同一笔订单扣了两次款", "信用卡上有两笔一样的付款"),
        ("抱歉给您带来不便，我来查一下付款记录。", "第二笔是预授权，3 到 5 个工作日内会自动解除。"),
        ("好的，明白了", "谢谢处理"),
        1,
        10,
    ),
]

COMMENTS = {
    5: ["Great service, thanks!", "Quick and really friendly.", "Solved in two minutes, impressed.", "非常满意！"],
    4: ["Helpful, thanks.", "Good answer, took a little while.", "Friendly agent."],
    3: ["Okay in the end, but I had to wait.", "Answer was fine, the wait was long."],
    2: ["Took too long and I had to explain twice.", "Still waiting for the refund I was promised."],
    1: ["Did not solve my problem.", "Nobody answered my question.", "等了很久也没解决。"],
}


def pick_topic(rng: random.Random, *, chinese: bool) -> Topic:
    topics = TOPICS_ZH if chinese else TOPICS_EN
    return rng.choices(topics, weights=[t.weight for t in topics])[0]


def visitor_name(rng: random.Random, *, chinese: bool) -> str:
    """Most visitors give a name in the pre-chat form; some stay anonymous."""
    if rng.random() < 0.2:
        return ""
    if chinese:
        return rng.choice(CHINESE_NAMES)
    name = rng.choice(FIRST_NAMES)
    return f"{name} {rng.choice(LAST_NAMES)}" if rng.random() < 0.6 else name


def comment_for(rng: random.Random, score: int) -> str:
    """A comment that agrees with its score (a third of raters write one)."""
    return rng.choice(COMMENTS[score]) if rng.random() < 0.35 else ""
