from obligations.evaluation import score, top_section

GOLD = [
    {"section": "15", "kind": "deadline", "due": "2017-04-25", "every": None},
    {"section": "15", "kind": "deadline", "due": "2017-04-25", "every": None},
    {"section": "9(b)", "kind": "recurring", "due": None, "every": "week"},
]


def test_top_section():
    assert [top_section(s) for s in ("4.1(a)(i)", "9(b)", "15", "")] == ["4.1", "9", "15", ""]


def test_rows_match_as_multisets_by_top_section():
    got = [
        {"section": "15", "kind": "deadline", "due": "2017-04-25"},
        {"section": "9(c)", "kind": "recurring", "every": "week"},
        {"section": "6", "kind": "deadline", "due": "2018-01-25"},
        {"section": "7", "kind": "open"},
    ]
    result = score("x", GOLD, got)
    assert result.matched == 2
    assert (round(result.precision, 3), round(result.recall, 3)) == (0.667, 0.667)
    assert result.missed == [("15", "deadline", "2017-04-25")]
    assert result.added == [("6", "deadline", "2018-01-25")]


def test_a_wrong_date_or_unit_is_a_miss():
    got = [
        {"section": "15", "kind": "deadline", "due": "2017-04-26"},
        {"section": "15", "kind": "deadline", "due": "2017-04-25"},
        {"section": "9", "kind": "recurring", "every": "month"},
    ]
    result = score("x", GOLD, got)
    assert result.matched == 1
    assert (score("a", GOLD, got) + score("b", GOLD, GOLD)).matched == 4


def test_no_gold_rows_and_none_extracted_is_perfect():
    result = score("eo-13993", [], [{"section": "2", "kind": "open"}])
    assert (result.precision, result.recall, result.f1) == (1.0, 1.0, 1.0)


def test_actor_agreement_is_counted_on_matched_rows():
    gold = [
        {"section": "2", "kind": "deadline", "due": "2021-07-11", "actors": ["Director of OMB"]}
    ]
    same = [{"section": "2(b)", "kind": "deadline", "due": "2021-07-11",
             "actors": ["Director of the Office of Management and Budget"]}]  # fmt: skip
    other = [{**same[0], "actors": ["Attorney General"]}]
    assert score("x", gold, same).actors_agree == 1
    assert score("x", gold, other).actors_agree == 0


def test_the_total_matches_rows_only_within_their_own_order():
    # Order a's extra "5" row must not "match" order b's missed "5" row in the total.
    a = score("a", [], [{"section": "5", "kind": "deadline", "due": None}])
    b = score("b", [{"section": "5", "kind": "deadline", "due": None}], [])
    c = score("c", GOLD[:1], GOLD[:1])
    total = a + b + c
    assert (a.matched, b.matched, c.matched, total.matched) == (0, 0, 1, 1)
    assert (round(total.precision, 3), round(total.recall, 3)) == (0.5, 0.5)


def test_one_schedule_under_either_name():
    gold = [{"section": "5", "kind": "recurring", "every": "3 months"},
            {"section": "6", "kind": "recurring", "every": "12 months"},
            {"section": "7", "kind": "recurring", "every": "2 weeks"}]  # fmt: skip
    got = [{"section": "5", "kind": "recurring", "every": "quarter"},
           {"section": "6", "kind": "recurring", "every": "year"},
           {"section": "7", "kind": "recurring", "every": "14 days"}]  # fmt: skip
    assert score("x", gold, got).matched == 3
    assert score("x", gold, [{**got[0], "every": "month"}]).matched == 0
