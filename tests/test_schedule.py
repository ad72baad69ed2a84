from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obligations.schedule import Conventions, Period, Rule, due_dates, fiscal_quarter, roll_forward

SIGNED = date(2017, 1, 25)
REVOKED = date(2021, 1, 20)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


def deadline(text, anchor=SIGNED, conventions=None):
    rule = Rule("deadline", offset=Period.parse(text))
    (due,) = due_dates(rule, anchor, conventions or Conventions())
    return due


@pytest.mark.parametrize(
    ("anchor", "offset", "expected"),
    [
        (SIGNED, "90 days", date(2017, 4, 25)),
        (SIGNED, "180 days", date(2017, 7, 24)),
        (SIGNED, "1 year", date(2018, 1, 25)),
        (SIGNED, "6 months", date(2017, 7, 25)),
        (SIGNED, "30 days", date(2017, 2, 24)),
        (SIGNED, "60 days", date(2017, 3, 26)),
        (date(2017, 3, 16), "20 days", date(2017, 4, 5)),
        (date(2017, 3, 16), "365 days", date(2018, 3, 16)),
        (date(2020, 1, 31), "1 month", date(2020, 2, 29)),
        (date(2019, 1, 31), "1 month", date(2019, 2, 28)),
        (date(2020, 2, 29), "1 year", date(2021, 2, 28)),
    ],
)
def test_pinned_deadlines(anchor, offset, expected):
    assert deadline(offset, anchor).date == expected


def test_explanations():
    assert (
        deadline("90 days").explanation
        == "2017-01-25 (signed) + 90 calendar days = 2017-04-25 (Tue)"
    )
    assert deadline("1 year").explanation == "2017-01-25 (signed) + 1 year = 2018-01-25 (Thu)"
    rolled = deadline("88 days", conventions=Conventions(day_count="roll"))
    assert rolled.date == date(2017, 4, 24)
    assert "2017-04-23 (Sun), not a business day" in rolled.explanation
    assert f"holidays {holidays.__version__}" in rolled.explanation


def test_roll_forward_over_a_holiday_weekend():
    assert roll_forward(date(2017, 12, 24)) == (date(2017, 12, 26), "Sun")
    assert roll_forward(date(2017, 4, 25)) == (date(2017, 4, 25), None)


def test_weekly_series_to_the_revocation():
    dues = due_dates(
        Rule("recurring", every=Period.parse("week")), SIGNED, Conventions(end=REVOKED)
    )
    assert (dues[0].date, dues[-1].date, len(dues)) == (date(2017, 2, 1), REVOKED, 208)
    assert dues[0].period_start == SIGNED
    assert dues[1].period_start == date(2017, 2, 2)


def test_weekly_on_a_weekday():
    conventions = Conventions(weekday=4, end=date(2017, 2, 28))
    dues = due_dates(Rule("recurring", every=Period.parse("week")), SIGNED, conventions)
    assert [d.date.isoformat() for d in dues[:2]] == ["2017-01-27", "2017-02-03"]


@pytest.mark.parametrize(
    ("periods", "first", "second", "words"),
    [
        ("anchor", date(2017, 4, 25), date(2017, 7, 25), "2017-01-25 + 3 months"),
        ("calendar", date(2017, 3, 31), date(2017, 6, 30), "2017 Q1 ends"),
        ("fiscal", date(2017, 3, 31), date(2017, 6, 30), "FY2017 Q2 ends"),
    ],
)
def test_quarterly_conventions(periods, first, second, words):
    rule = Rule("recurring", every=Period.parse("quarter"))
    dues = due_dates(rule, SIGNED, Conventions(periods=periods, end=REVOKED))
    assert (dues[0].date, dues[1].date) == (first, second)
    assert words in dues[0].explanation


def test_fiscal_years_end_in_september():
    dues = due_dates(
        Rule("recurring", every=Period.parse("year")), SIGNED, Conventions(periods="fiscal")
    )
    assert dues[0].date == date(2017, 9, 30)
    assert fiscal_quarter(SIGNED) == (2017, 2)
    assert fiscal_quarter(date(2016, 10, 1)) == (2017, 1)


def test_explicit_first_due_then_every():
    rule = Rule("recurring", offset=Period.parse("90 days"), every=Period.parse("180 days"))
    first, second = due_dates(rule, SIGNED)[:2]
    assert (first.date, second.date) == (date(2017, 4, 25), date(2017, 10, 22))


def test_horizon_without_an_end():
    dues = due_dates(
        Rule("recurring", every=Period.parse("year")), SIGNED, Conventions(horizon_years=2)
    )
    assert [d.date for d in dues] == [date(2018, 1, 25), date(2019, 1, 25)]


def test_open_and_unknown_anchors_have_no_dates():
    assert due_dates(Rule("open"), SIGNED) == []
    assert due_dates(Rule("deadline", offset=Period.parse("30 days"), anchor="review"), None) == []
    (fixed,) = due_dates(Rule("deadline", on=date(2021, 12, 31)), None)
    assert fixed.explanation == "fixed date stated in the order: 2021-12-31 (Fri)"


def test_round_trips_and_bad_values():
    rule = Rule(
        "recurring",
        offset=Period.parse("90 days"),
        every=Period.parse("quarter"),
        anchor="effective",
    )
    assert Rule.from_dict(rule.to_dict()) == rule
    conventions = Conventions(day_count="roll", periods="fiscal", weekday=2, end=REVOKED)
    assert Conventions.from_dict(conventions.to_dict()) == conventions
    assert Period.parse("quarter").every_label() == "quarter"
    assert Period.parse("2 years").every_label() == "2 years"
    for bad in ("0 days", "fortnight", "-3 weeks"):
        with pytest.raises(ValueError):
            Period.parse(bad)
    with pytest.raises(ValueError):
        Conventions.from_dict({"day_count": "lunar"})


@settings(max_examples=1000, deadline=None)
@given(dates, st.integers(min_value=1, max_value=3650))
def test_day_offsets_are_exact(anchor, n):
    assert (deadline(f"{n} days", anchor).date - anchor).days == n


@settings(max_examples=1000, deadline=None)
@given(dates, st.integers(min_value=1, max_value=36))
def test_month_arithmetic_clamps(anchor, n):
    due = deadline(f"{n} months", anchor).date
    month_end = (due.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    assert due.day == min(anchor.day, month_end.day)


@settings(max_examples=400, deadline=None)
@given(
    dates,
    st.sampled_from(["week", "month", "quarter", "year", "180 days", "2 weeks"]),
    st.sampled_from(["calendar", "roll"]),
    st.sampled_from(["anchor", "calendar", "fiscal"]),
    st.integers(min_value=30, max_value=2000),
)
def test_series_are_increasing_and_bounded(anchor, every, day_count, periods, length):
    end = anchor + timedelta(days=length)
    conventions = Conventions(day_count=day_count, periods=periods, end=end)
    dues = [
        d.date for d in due_dates(Rule("recurring", every=Period.parse(every)), anchor, conventions)
    ]
    assert dues == sorted(set(dues))
    assert all(anchor < d for d in dues)
    assert day_count == "roll" or all(d <= end for d in dues)


@settings(max_examples=1000, deadline=None)
@given(dates)
def test_rolled_dates_are_business_days(d):
    rolled, _ = roll_forward(d)
    assert rolled.weekday() < 5
    assert rolled not in holidays.country_holidays("US", years=rolled.year, observed=True)
    assert 0 <= (rolled - d).days <= 5
