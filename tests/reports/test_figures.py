"""Every report figure checked against values worked out by hand on a fixed week of conversations.

The week (UTC, from Monday 2026-03-02), with an SLA of a first reply within 5 minutes:

  A Mon 09:00  ann claims 09:01, replies 09:02, resolves 09:10, rated 5
  B Mon 10:00  ann claims 10:00:30, replies 10:01, transfers to ben 10:02; ben replies 10:03 and
               10:04, resolves 10:20, rated 2  (split credit: ann 1/3, ben 2/3)
  C Tue 11:00  ben claims 11:05, replies 11:06 (late for the SLA), resolves 11:30, rated 4
  D Tue 12:00  nobody answers; resolved by the system at 12:05 (abandoned, SLA breached)
  E Wed 14:00  ann claims 14:00, replies 14:03, resolves 14:40, not rated
  F Wed 15:00  the router gives it to ben, who misses it (15:02); ann claims 15:10, replies 15:11
               (late), resolves 15:20, rated 1
  G Thu 16:00  still waiting
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import Team
from chat import services
from chat.models import Conversation, SlaPolicy
from reports import queries
from reports.filters import parse_filter
from reports.stats import nearest_rank, wilson_interval

pytestmark = pytest.mark.django_db(transaction=True)

WEEK = "from=2026-03-02&to=2026-03-08&tz=UTC"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, 1 + day, hour, minute, second, tzinfo=UTC)


class Week:
    def __init__(self, clock, make_contact, ann, ben):
        self.clock, self.make_contact, self.ann, self.ben = clock, make_contact, ann, ben
        self.n = 0

    def start(self, when: datetime) -> Conversation:
        self.clock.set(when)
        self.n += 1
        contact = self.make_contact(f"V{self.n}").contact
        conversation, _ = services.conversation_start(contact=contact, text="help", client_id=f"c{self.n}")
        return conversation

    def do(self, when: datetime, action, **kwargs):
        self.clock.set(when)
        conversation = kwargs.pop("conversation")
        fresh = Conversation.objects.select_related("contact", "inbox").get(pk=conversation.pk)
        return action(conversation=fresh, **kwargs)

    def reply(self, when, conversation, agent):
        self.n += 1
        return self.do(
            when, services.message_send, conversation=conversation, sender=agent, text="hi", client_id=f"a{self.n}"
        )


@pytest.fixture
def week(inbox, make_contact, make_agent, clock):
    ann, ben = make_agent("ann"), make_agent("ben")
    SlaPolicy.objects.create(inbox=inbox, first_response_seconds=300, business_hours_only=False)
    w = Week(clock, make_contact, ann, ben)
    s = services

    a = w.start(at(1, 9))
    w.do(at(1, 9, 1), s.conversation_claim, conversation=a, agent=ann)
    w.reply(at(1, 9, 2), a, ann)
    w.do(at(1, 9, 10), s.conversation_resolve, conversation=a, actor=ann)
    w.do(at(1, 9, 11), s.conversation_rate, conversation=a, contact=a.contact, score=5, comment="Great")

    b = w.start(at(1, 10))
    w.do(at(1, 10, 0, 30), s.conversation_claim, conversation=b, agent=ann)
    w.reply(at(1, 10, 1), b, ann)
    w.do(at(1, 10, 2), s.conversation_transfer, conversation=b, actor=ann, to_agent=ben, note="billing")
    w.reply(at(1, 10, 3), b, ben)
    w.reply(at(1, 10, 4), b, ben)
    w.do(at(1, 10, 20), s.conversation_resolve, conversation=b, actor=ben)
    w.do(at(1, 10, 21), s.conversation_rate, conversation=b, contact=b.contact, score=2, comment="Slow")

    c = w.start(at(2, 11))
    w.do(at(2, 11, 5), s.conversation_claim, conversation=c, agent=ben)
    w.reply(at(2, 11, 6), c, ben)
    w.do(at(2, 11, 30), s.conversation_resolve, conversation=c, actor=ben)
    w.do(at(2, 11, 31), s.conversation_rate, conversation=c, contact=c.contact, score=4)

    d = w.start(at(2, 12))
    w.do(at(2, 12, 5), s.conversation_resolve, conversation=d, actor=None)

    e = w.start(at(3, 14))
    w.do(at(3, 14), s.conversation_claim, conversation=e, agent=ann)
    w.reply(at(3, 14, 3), e, ann)
    w.do(at(3, 14, 40), s.conversation_resolve, conversation=e, actor=ann)

    f = w.start(at(3, 15))
    w.do(at(3, 15), s.conversation_assign, conversation=f, agent=ben, actor=None, auto=True)
    w.do(at(3, 15, 2), s.conversation_requeue, conversation=f, reason="not_answered", missed=True)
    w.do(at(3, 15, 10), s.conversation_claim, conversation=f, agent=ann)
    w.reply(at(3, 15, 11), f, ann)
    w.do(at(3, 15, 20), s.conversation_resolve, conversation=f, actor=ann)
    w.do(at(3, 15, 21), s.conversation_rate, conversation=f, contact=f.contact, score=1)

    w.start(at(4, 16))
    clock.set(at(6, 12))
    w.ids = {name: conv.pk for name, conv in zip("ABCDEF", (a, b, c, d, e, f), strict=True)}
    return w


def report_filter(user, query: str = WEEK):
    from django.http import QueryDict

    return parse_filter(QueryDict(query), user=user, today=at(6, 12).date())


@pytest.fixture
def manager(make_agent):
    return make_agent("maria", manager=True)


def test_wilson_and_nearest_rank_by_hand():
    low, high = wilson_interval(2, 4)
    assert low == pytest.approx(0.150034, abs=1e-5) and high == pytest.approx(0.849966, abs=1e-5)
    low, high = wilson_interval(10, 10)  # never claims certainty from ten answers
    assert high == pytest.approx(1.0) and low == pytest.approx(0.722467, abs=1e-5)
    assert wilson_interval(0, 0) is None
    assert [nearest_rank(0.5, n) for n in (1, 2, 5, 10)] == [0, 0, 2, 4]
    assert [nearest_rank(0.9, n) for n in (1, 5, 6, 10)] == [0, 4, 5, 8]


def test_summary_satisfaction_and_sla(week, manager):
    s = queries.summary(report_filter(manager))
    assert (s["total"], s["resolved"], s["rated"], s["satisfied"]) == (7, 6, 4, 2)
    assert s["satisfaction"].rate == 0.5
    assert s["satisfaction"].interval == pytest.approx((0.150034, 0.849966), abs=1e-5)
    assert s["response_rate"] == pytest.approx(4 / 6)
    assert s["abandoned"] == 1
    assert (s["sla_met"], s["sla_total"]) == (3, 6)  # C and F answered late, D never
    assert queries.distribution(report_filter(manager)) == {1: 1, 2: 1, 3: 0, 4: 1, 5: 1}


def test_speed_percentiles_and_missed(week, manager):
    f = report_filter(manager)
    assert queries.percentiles(f, "first_response") == {"n": 5, "p50": 180, "p90": 660}
    assert queries.percentiles(f, "resolution") == {"n": 6, "p50": 1200, "p90": 2400}
    assert queries.percentiles(f, "queue_wait") == {"n": 5, "p50": 30, "p90": 300}
    assert queries.missed_count(f) == 1
    # The page's one-scan path (percentile_disc on PostgreSQL) gives the same figures.
    assert queries.speed(f) == {
        "first_response": {"n": 5, "p50": 180, "p90": 660},
        "resolution": {"n": 6, "p50": 1200, "p90": 2400},
        "queue_wait": {"n": 5, "p50": 30, "p90": 300},
    }


def test_heatmap_cells(week, manager):
    grid = queries.heatmap(report_filter(manager))
    filled = {(d + 1, h): n for d, row in enumerate(grid) for h, n in enumerate(row) if n}
    assert filled == {(1, 9): 1, (1, 10): 1, (2, 11): 1, (2, 12): 1, (3, 14): 1, (3, 15): 1, (4, 16): 1}
    # The same week seen from Shanghai (UTC+8): Monday 09:00 UTC is Monday 17:00 there.
    shanghai = queries.heatmap(report_filter(manager, "from=2026-03-02&to=2026-03-08&tz=Asia/Shanghai"))
    assert shanghai[0][17] == 1 and shanghai[0][9] == 0


def test_credit_to_the_final_assignee_and_split_by_replies(week, manager):
    ann, ben = week.ann.pk, week.ben.pk
    by_assignee = queries.satisfaction_by_agent(report_filter(manager))
    assert {k: (v.successes, v.n) for k, v in by_assignee.items()} == {ann: (1, 2), ben: (1, 2)}
    split = queries.satisfaction_by_agent(report_filter(manager, WEEK + "&credit=replies"))
    assert split[ann].n == pytest.approx(1 + 1 / 3 + 1) and split[ann].successes == pytest.approx(1)
    assert split[ben].n == pytest.approx(2 / 3 + 1) and split[ben].successes == pytest.approx(1)
    assert split[ben].rate == pytest.approx(0.6)


def test_agent_and_team_tables(week, manager):
    rows = {r["id"]: r for r in queries.per_agent(report_filter(manager))}
    ann, ben = rows[week.ann.pk], rows[week.ben.pk]
    assert (ann["assigned"], ann["resolved"], ann["missed"]) == (3, 3, 0)  # A, E, F
    assert (ben["assigned"], ben["resolved"], ben["missed"]) == (2, 2, 1)  # B, C; missed F
    assert ann["avg_first_response"] == pytest.approx((120 + 180 + 660) / 3)
    assert not ann["ranked"] and "rank" not in ann  # two ratings are too few to rank
    teams = queries.per_team(report_filter(manager))
    assert [(t["name"], t["total"], t["abandoned"]) for t in teams] == [("No team", 7, 1)]


def test_filters_by_team_and_agent(week, manager):
    billing = Team.objects.create(name="Billing")
    Conversation.objects.filter(pk=week.ids["C"]).update(team=billing)
    f = report_filter(manager, WEEK + f"&team={billing.pk}")
    assert queries.summary(f)["total"] == 1
    f = report_filter(manager, WEEK + f"&agent={week.ben.pk}")
    assert queries.summary(f)["total"] == 2
    assert queries.missed_count(f) == 1


def test_drilldowns_list_the_conversations_behind_each_figure(week, manager, client):
    client.force_login(manager)
    cases = {
        "satisfied": {"A", "C"},
        "dissatisfied": {"B", "F"},
        "abandoned": {"D"},
        "missed": {"F"},
        "sla_breached": {"C", "D", "F"},
        "sla_met": {"A", "B", "E"},
    }
    numbers = {name: Conversation.objects.get(pk=pk).number for name, pk in week.ids.items()}
    for metric, expected in cases.items():
        page = client.get(f"/reports/conversations/{metric}/?{WEEK}")
        assert page.status_code == 200
        html = page.content.decode()
        shown = {name for name, number in numbers.items() if f">#{number}<" in html}
        assert shown == expected, metric
    cell = client.get(f"/reports/conversations/cell/?{WEEK}&weekday=2&hour=12").content.decode()
    assert f">#{numbers['D']}<" in cell and f">#{numbers['C']}<" not in cell
    assert client.get(f"/reports/conversations/nope/?{WEEK}").status_code == 404


def test_the_page_renders_every_figure(week, manager, client):
    client.force_login(manager)
    html = client.get(f"/reports/?{WEEK}").content.decode()
    assert '<strong id="csat-rate">50.0%</strong>' in html
    assert '<span id="csat-ci">15.0-85.0%</span>' in html
    assert '<td id="frt-p50">3m 00s</td>' in html and '<td id="frt-p90">11m 00s</td>' in html
    assert '<strong id="abandoned">1</strong>' in html and '<strong id="missed">1</strong>' in html
    assert '<strong id="sla-rate">50.0%</strong>' in html


def test_the_page_takes_a_fixed_number_of_queries(week, manager, client, make_contact):
    client.force_login(manager)
    client.get(f"/reports/?{WEEK}")  # warm the session and permission caches

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/reports/?{WEEK}&credit=replies").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        week.start(at(5, 10 + i))
    assert count() == before


def test_csv_export_has_one_row_per_conversation(week, manager, client):
    client.force_login(manager)
    response = client.get(f"/reports/export/conversations.csv?{WEEK}")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 7
    by_number = {int(r["number"]): r for r in rows}
    b = by_number[Conversation.objects.get(pk=week.ids["B"]).number]
    assert (b["assignee"], b["agent_replies"], b["visitor_messages"], b["rating"], b["satisfied"]) == (
        "ben",
        "3",
        "1",
        "2",
        "0",
    )
    assert (b["first_response_seconds"], b["resolution_seconds"], b["queue_wait_seconds"]) == ("60", "1200", "30")
    d = by_number[Conversation.objects.get(pk=week.ids["D"]).number]
    assert (d["abandoned"], d["sla_breached"], d["rating"], d["satisfied"]) == ("1", "1", "", "")
    f = by_number[Conversation.objects.get(pk=week.ids["F"]).number]
    assert f["missed"] == "1"
    agents = client.get(f"/reports/export/agents.csv?{WEEK}&credit=replies")
    table = list(csv.DictReader(io.StringIO(b"".join(agents.streaming_content).decode())))
    ben = next(r for r in table if r["agent"] == "Ben")
    assert (ben["ratings"], ben["satisfied"], ben["satisfied_rate"], ben["missed"]) == ("1.6667", "1", "0.6", "1")


def test_agents_see_only_their_own_figures(week, client):
    ann = get_user_model().objects.get(pk=week.ann.pk)
    client.force_login(ann)
    html = client.get(f"/reports/?{WEEK}&agent={week.ben.pk}").content.decode()
    assert "You see your own figures." in html
    s = queries.summary(report_filter(ann, WEEK + f"&agent={week.ben.pk}"))
    assert s["total"] == 3 and s["rated"] == 2  # A, E, F: ann's, whatever the agent filter says
    rows = client.get(f"/reports/export/agents.csv?{WEEK}")
    names = [r["agent"] for r in csv.DictReader(io.StringIO(b"".join(rows.streaming_content).decode()))]
    assert names == ["Ann"]


def test_who_may_see_reports(week, client):
    assert client.get("/reports/").status_code == 302  # sign in first
    outsider = get_user_model().objects.create_user("guest", password="x")
    client.force_login(outsider)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/export/conversations.csv").status_code == 403


@pytest.mark.parametrize(
    "query", ["from=2026-13-01", "from=2026-03-09&to=2026-03-01", "tz=Mars/Olympus", "credit=everyone", "inbox=x"]
)
def test_bad_filters_get_a_clear_error(week, manager, client, query):
    client.force_login(manager)
    response = client.get(f"/reports/?{query}")
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()


def test_the_page_speaks_simplified_chinese(week, manager, client):
    client.force_login(manager)
    html = client.get(f"/reports/?{WEEK}", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "满意度与绩效" in html and "首次响应时间" in html
